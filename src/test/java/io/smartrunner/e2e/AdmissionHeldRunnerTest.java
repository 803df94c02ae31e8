package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner process on a host that is always under its memory floor (1 TiB): no session
 * starts, one pressure event, and every surface says why: {@code /readyz} (still 200, the hold as a
 * note), {@code status}'s runner line and {@code /metrics}.
 */
@Tag("e2e")
class AdmissionHeldRunnerTest {
    @TempDir
    Path dir;

    private List<EventRecord> events() {
        return EventLogReader.readAll(dir.resolve("logs/events.jsonl"));
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    @Test
    void aRunnerUnderItsMemoryFloorStartsNothingAndSaysWhyEverywhere() throws Exception {
        Path cfg = dir.resolve("held.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "minFreeMemoryMb": 1048576}, "http": {"port": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 0},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}, {"id": "p2"}]}]}""");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            int port = runner.httpPort();
            CliProcess.await("a pressure event", 30_000, () -> events().stream()
                    .anyMatch(e -> e.event().equals("pressure")));
            String ready = get(port, "/readyz");
            assertTrue(ready.contains("\"status\":\"ok\"") && ready.contains("runner.minFreeMemoryMb 1048576"), ready);
            String metrics = get(port, "/metrics");
            assertTrue(metrics.lines().anyMatch(l -> l.equals("smartrunner_admission_held 1.0")), metrics);
            CliProcess.await("both profiles counted as held back", 30_000, () -> {
                try {
                    return get(port, "/metrics").lines().anyMatch(l -> l.equals("smartrunner_admission_delayed_total 2.0"));
                } catch (Exception e) {
                    return false;
                }
            });
            CliProcess.Result status = CliProcess.run(dir, "status", "-c", cfg.toString());
            assertEquals(0, status.exitCode(), status.err());
            assertTrue(status.out().contains("runner: ready; note: new sessions held since ")
                    && status.out().contains("is under runner.minFreeMemoryMb 1048576"), status.out());
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
        List<EventRecord> log = events();
        assertEquals(0, log.stream().filter(e -> e.event().equals("start")).count(), "no session started");
        assertEquals(1, log.stream().filter(e -> e.event().equals("pressure")).count());
    }
}
