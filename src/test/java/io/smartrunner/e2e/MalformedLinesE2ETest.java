package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings;
import io.smartrunner.event.Events;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.event.Params;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines in the middle of the event log that are not events are counted and told, never skipped silently. */
@Tag("e2e")
class MalformedLinesE2ETest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("logs/events.jsonl");
    }

    private void append(int from, int count) {
        Instant t = Instant.parse("2025-01-08T10:30:00Z");
        try (JsonlEventSink sink = JsonlEventSink.open(log(), RunnerSettings.FsyncPolicy.NEVER, 1000)) {
            for (int i = from; i < from + count; i++) {
                sink.append(List.of(Events.sessionStarted(t, "podA", "p1", "s" + i, "w"),
                        Events.sessionFailed(t, "podA", "p1", "s" + i, Params.of(Map.of("reason", "exit")), 3L)));
            }
        }
    }

    private void garbage(String text) throws IOException {
        Files.writeString(log(), text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Test
    void eventsReportAndRunSayHowManyLinesWereSkippedAndWhere() throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"runner\": {\"startJitterMs\": 0}, \"http\": {\"port\": 0}, "
                + "\"browser\": {\"provider\": \"none\"}, \"pods\": []}");
        append(0, 1);                               // lines 1-2
        garbage("{\"ts\":\"2025-01-08T10:3\n");      // line 3: torn by an editor
        append(1, 2);                               // lines 4-7
        garbage("not json\n{\"pod\":\"podA\"}\n");  // lines 8-9
        append(3, 1);                               // lines 10-11
        String notice = "smart-runner: " + Path.of("logs/events.jsonl")
                + ": skipped 3 malformed line(s) (first at line 3)";

        CliProcess.Result events = CliProcess.run(dir, "events", "-n", "100", "-c", cfg.toString());
        assertEquals(0, events.exitCode(), events.err());
        assertEquals(8, events.out().lines().count(), events.out());
        assertEquals(notice, events.err().strip());

        CliProcess.Result report = CliProcess.run(dir, "report", "--json", "-c", cfg.toString());
        assertEquals(0, report.exitCode(), report.err());
        assertEquals(notice, report.err().strip());
        assertEquals(3, new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.out())
                .path("malformedLines").asLong(-1), report.out());

        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            int port = runner.httpPort();
            CliProcess.await("run tells the skipped lines of the history", 20_000, () -> {
                try {
                    return runner.err().contains(notice);
                } catch (IOException e) {
                    return false;
                }
            });
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("smartrunner_event_log_malformed_lines 3.0"), metrics);
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        }
        // the rebuild of the missing store at start says what it left out in its own line (StateRebuild.Result)
        assertEquals(1, runner.err().lines().filter(l -> l.contains("malformed") && !l.contains("rebuilt")).count(),
                runner.err());
    }
}
