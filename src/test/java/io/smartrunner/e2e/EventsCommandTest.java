package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.Events;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.event.Params;
import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code events}: the tail with filters, and --follow printing lines as they are appended. */
@Tag("e2e")
class EventsCommandTest {
    @TempDir
    Path dir;

    @Test
    void tailsWithFiltersAndFollowsNewEvents() throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"runner\": {\"eventLog\": \"logs/events.jsonl\"}}");
        Instant t = Instant.parse("2025-01-08T10:30:00Z");
        try (JsonlEventSink sink = JsonlEventSink.open(dir.resolve("logs/events.jsonl"), RunnerSettings.FsyncPolicy.NEVER, 1000)) {
            sink.append(List.of(Events.sessionStarted(t, "podA", "p1", "s1", "w"),
                    Events.sessionFailed(t, "podA", "p1", "s1", Params.of(Map.of("reason", "exit")), 3L),
                    Events.sessionStarted(t, "podB", "p2", "s2", "w"),
                    Events.sessionStarted(t, "podA", "p1", "s3", "w")));
        }
        CliProcess.Result tail = CliProcess.run(dir, "events", "-c", cfg.toString(), "--profile", "p1", "--event", "start");
        assertEquals(0, tail.exitCode(), tail.err());
        List<String> lines = tail.out().lines().toList();
        assertEquals(2, lines.size(), tail.out());
        assertTrue(lines.get(0).contains("\"sessionId\":\"s1\"") && lines.get(1).contains("\"sessionId\":\"s3\""));

        CliProcess follow = CliProcess.start(dir, "events", "-c", cfg.toString(), "--follow", "-n", "1", "--pod", "podB");
        try (JsonlEventSink sink = JsonlEventSink.open(dir.resolve("logs/events.jsonl"), RunnerSettings.FsyncPolicy.NEVER, 1000)) {
            CliProcess.await("follow printed the past podB event, so it is following", 20_000, () -> {
                try {
                    return follow.out().contains("\"sessionId\":\"s2\"");
                } catch (Exception e) {
                    return false;
                }
            });
            sink.append(List.of(Events.sessionStarted(t, "podA", "p1", "s4", "w"),
                    Events.sessionStarted(t, "podB", "p2", "s5", "w")));
        }
        CliProcess.await("the new podB event is printed", 20_000, () -> {
            try {
                return follow.out().contains("\"sessionId\":\"s5\"");
            } catch (Exception e) {
                return false;
            }
        });
        follow.process.destroy();
        assertTrue(follow.process.waitFor(10, TimeUnit.SECONDS));
        String followed = follow.out();
        assertEquals(2, followed.lines().count(), "s2 from the past, then only the new podB event: " + followed);
        assertEquals(6, EventLogReader.readAll(dir.resolve("logs/events.jsonl")).size());
    }
}
