package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode on members whose wall clocks are wrong (libfaketime: the wall clock 90 s off, the
 * monotonic one real, as on a machine without NTP): a pause's end and the events' times are the
 * database's, the same for every member. The database runs on this machine, so the test's own
 * clock is the database's. Before the cluster followed the database's clock, the runner 90 s
 * behind dated its events 90 s back and its pauses ended 90 s late.
 */
@Tag("e2e")
class ClusterClockE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far below the 90 s the clocks are off, far above what a loaded machine takes between two lines. */
    private static final Duration SLACK = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path config(String sub, String url, String name) throws IOException {
        Path home = Files.createDirectories(dir.resolve(sub));
        return Files.writeString(home.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s"},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "%s"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.2"], "cooldownMs": 50},
                 "pods": [{"name": "pod-a", "profiles": [{"id": "p1"}, {"id": "p2"}]}]}
                """.formatted(name, url, PostgresServer.PASSWORD));
    }

    /** The environment that puts a process's wall clock {@code seconds} off (bin/setup --for-tests installs libfaketime). */
    private static Map<String, String> wallClockOff(int seconds) throws IOException {
        Path lib;
        try (var found = Files.find(Path.of("/usr/lib"), 3,
                (p, a) -> p.getFileName().toString().equals("libfaketime.so.1"))) {
            lib = found.findFirst().orElseThrow(() -> new AssertionError(
                    "libfaketime is not installed (bin/setup --for-tests installs it)"));
        }
        // the monotonic clock real, as on a machine whose wall clock is wrong; without the fix
        // switched off, a JVM under libfaketime 0.9.10 runs ten times slower
        return Map.of("LD_PRELOAD", lib.toString(), "FAKETIME", (seconds >= 0 ? "+" : "") + seconds,
                "FAKETIME_DONT_FAKE_MONOTONIC", "1", "FAKETIME_FORCE_MONOTONIC_FIX", "0");
    }

    private static List<JsonNode> events(Path log) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError(line, e);
            }
        }).toList();
    }

    private static JsonNode last(Path log, String event) throws IOException {
        return events(log).stream().filter(e -> e.get("event").asText().equals(event)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + event + " in " + log));
    }

    private static void assertNear(Instant expected, String actual, String what) {
        Duration off = Duration.between(expected, Instant.parse(actual)).abs();
        assertTrue(off.compareTo(SLACK) < 0, what + ": " + actual + " is " + off.toSeconds() + " s from " + expected);
    }

    @Test
    void membersWhoseWallClocksAreOffDatePausesAndEventsByTheDatabasesClock() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_cluster_clock");
        Path alphaCfg = config("a", url, "alpha");
        Path betaCfg = config("b", url, "beta"); // only its CLI runs, 90 s ahead
        Path alphaLog = dir.resolve("a/logs/events.jsonl");
        CliProcess alpha = CliProcess.start(alphaCfg.getParent(), wallClockOff(-90), "run", "-c", alphaCfg.toString());
        try {
            CliProcess.await("alpha runs p1", 60_000, () -> {
                try {
                    return events(alphaLog).stream().anyMatch(e -> e.get("event").asText().equals("finish"));
                } catch (IOException e) {
                    return false;
                }
            });
            assertTrue(alpha.err().contains("this machine's wall clock is 9") && alpha.err().contains(
                    " s behind the database's; in cluster mode pauses and event times follow the database's clock"),
                    alpha.err());
            assertNear(Instant.now(), last(alphaLog, "finish").get("ts").asText(), "a session's end, dated by alpha");

            CliProcess.Result pause = CliProcess.run(alphaCfg.getParent(), "pause", "p1", "--for", "10m",
                    "-c", alphaCfg.toString());
            assertEquals(0, pause.exitCode(), pause.err());
            JsonNode paused = last(alphaLog, "pause");
            assertNear(Instant.now(), paused.get("ts").asText(), "the pause's time");
            assertNear(Instant.now().plus(Duration.ofMinutes(10)), paused.get("params").get("pausedUntil").asText(),
                    "the pause's end");

            alpha.process.destroy(); // a graceful stop gives the leases back
            assertTrue(alpha.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, alpha.process.exitValue(), alpha.err());
        } finally {
            alpha.process.destroyForcibly();
        }

        // nobody holds p2: a command 90 s ahead writes its pause to the database, dated by the database
        CliProcess offline = CliProcess.start(betaCfg.getParent(), wallClockOff(90), "pause", "p2", "--for", "10m",
                "-c", betaCfg.toString());
        assertTrue(offline.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, offline.process.exitValue(), offline.err());
        assertTrue(offline.out().contains("(no runner holds it: written to the database)"), offline.out());
        assertNear(Instant.now().plus(Duration.ofMinutes(10)),
                last(dir.resolve("b/logs/events.jsonl"), "pause").get("params").get("pausedUntil").asText(),
                "the end of a pause written by a command");
    }
}
