package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.ChildProcesses;
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
 * Issue #9, point 1: after a {@code kill -9} of the runner, sessions that outlive it must not
 * keep the restarted runner off its port. The restart reconciles (stops them) before it binds,
 * so it comes back on the default port 7070 even while they would still run for 30 s.
 */
@Tag("e2e")
class RestartOnDefaultPortTest {
    @TempDir
    Path dir;

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private long count(String event, String reason) {
        return events().stream().filter(e -> e.event().equals(event)
                && (reason == null || reason.equals(e.params().get("reason")))).count();
    }

    @Test
    void aRunnerKilledWithSessionsRunningComesBackOnTheDefaultPort() throws Exception {
        Path cfg = dir.resolve("runner.json");
        // no "http" block: the default 127.0.0.1:7070
        Files.writeString(cfg, """
                {"runner": {"dataDir": "data", "eventLog": "logs/events.jsonl", "startJitterMs": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "echo $$ > child-{sessionId}.pid; exec sleep 30"],
                             "cooldownMs": 600000, "stopGraceMs": 500},
                 "pods": [{"name": "podA", "concurrency": 3,
                           "profiles": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]}]}
                """);
        try (DefaultPortLock port = DefaultPortLock.acquire()) {
            CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
            CliProcess second = null;
            try {
                assertEquals(DefaultPortLock.PORT, first.httpPort(), "the first runner listens on the default port");
                CliProcess.await("three sessions started", 20_000, () -> count("start", null) == 3);
                List<Long> children = childPids();
                // a connection the killed runner had accepted leaves its side of it in TIME_WAIT on
                // 7070: the next bind must not be refused for it (SO_REUSEADDR)
                HttpClient client = HttpClient.newHttpClient();
                assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + DefaultPortLock.PORT + "/healthz")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
                first.killWithItsWatchdog(); // the unit killed whole: its sessions live on, as they did for every kill before session 48
                assertTrue(children.stream().allMatch(RestartOnDefaultPortTest::alive),
                        "the sessions outlive the kill -9 of their runner and its watchdog");

                second = CliProcess.start(dir, "run", "-c", cfg.toString());
                assertEquals(DefaultPortLock.PORT, second.httpPort(), second.err());
                assertTrue(second.process.isAlive(), second.err());
                assertFalse(second.err().contains("Address already in use"), second.err());
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + DefaultPortLock.PORT + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), "the restarted runner answers on 7070");
                assertEquals(3, count("error", "lost"), "each orphaned session closed once");
                CliProcess.await("the orphaned sessions are stopped (and reaped by init)", 10_000,
                        () -> children.stream().noneMatch(RestartOnDefaultPortTest::alive));

                second.process.destroy();
                assertTrue(second.process.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, second.process.exitValue(), second.err());
            } finally {
                first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                if (second != null) {
                    second.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                childPidsQuietly().forEach(ChildProcesses::kill);
            }
        }
    }

    private List<Long> childPids() throws Exception {
        CliProcess.await("every child wrote its pid", 10_000, () -> childPidsQuietly().size() == 3);
        return childPidsQuietly();
    }

    private List<Long> childPidsQuietly() {
        return ChildProcesses.pidFiles(dir, "child-");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
