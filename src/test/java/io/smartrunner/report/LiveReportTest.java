package io.smartrunner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.event.Params;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveReportTest {
    private static final Instant T = Instant.parse("2025-01-08T10:30:00Z");

    @TempDir
    Path dir;

    private static List<EventRecord> sessions(String pod, int from, int count) {
        List<EventRecord> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(Events.sessionStarted(T.plusSeconds(i), pod, "p" + i, "s" + i, "w"));
            out.add(i % 2 == 0 ? Events.sessionFinished(T.plusSeconds(i), pod, "p" + i, "s" + i, 5L)
                    : Events.sessionFailed(T.plusSeconds(i), pod, "p" + i, "s" + i, Params.of(Map.of("reason", "exit")), 5L));
        }
        return out;
    }

    @Test
    void countsTheLogsHistoryAndEveryLiveEventOnce() throws Exception {
        Path log = dir.resolve("events.jsonl");
        try (JsonlEventSink sink = JsonlEventSink.open(log, FsyncPolicy.NEVER, 0)) {
            sink.append(sessions("podA", 0, 5000));
        }
        LiveReport report = LiveReport.readingHistoryOf(log, line -> { throw new AssertionError(line); });
        // live events, whether they arrive before or after the history was read
        report.accept(sessions("podA", 5000, 10));
        report.accept(sessions("podB", 0, 4));
        assertTrue(report.awaitReady(30_000));
        Map<String, Object> json = report.toJson(T.plusSeconds(60));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> pods = (Map<String, Map<String, Object>>) json.get("pods");
        assertEquals(5010L, pods.get("podA").get("sessions"));
        assertEquals(2505L, pods.get("podA").get("failures"));
        assertEquals(4L, pods.get("podB").get("sessions"));
        assertEquals(true, json.get("complete"));
    }

    @Test
    void aMissingLogIsAnEmptyHistory() throws Exception {
        LiveReport report = LiveReport.readingHistoryOf(dir.resolve("none.jsonl"), line -> { throw new AssertionError(line); });
        report.accept(sessions("podA", 0, 2));
        assertTrue(report.awaitReady(30_000));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> pods = (Map<String, Map<String, Object>>) report.toJson(T).get("pods");
        assertEquals(2L, pods.get("podA").get("sessions"));
    }
}
