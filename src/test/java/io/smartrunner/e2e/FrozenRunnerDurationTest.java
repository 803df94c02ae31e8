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
 * Issue #9, point 9: a session that ends while the runner is frozen (SIGSTOP) is timed to its
 * child's exit, which the kernel still knows when the runner wakes, not to when the runner saw it.
 */
@Tag("e2e")
class FrozenRunnerDurationTest {
    private static final long FREEZE_MS = 3_000;

    @TempDir
    Path dir;

    @Test
    void aSessionEndingDuringA3sFreezeOfTheRunnerKeepsItsOwnDuration() throws Exception {
        CliProcess runner = startRunner("0.3", "");
        try {
            int port = runner.httpPort();
            CliProcess.await("the session started", 20_000, () -> Files.exists(dir.resolve("started")));
            long sessionSeen = System.nanoTime();
            // answered by the loop after the launch it queued before: the session's start is on its clock
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/profiles/p1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());

            freezeWhileTheSessionEnds(runner); // it ends 0.3 s into the freeze
            long seenToWoken = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sessionSeen);

            CliProcess.await("the session's end is logged", 20_000, () -> end() != null);
            long durMs = end().durMs();
            // the session ran until 0.3 s into the freeze; the runner woke FREEZE_MS after it froze
            assertTrue(durMs >= 300 && durMs <= seenToWoken - 1_500, "durMs " + durMs + " of a session that ended 0.3 s"
                    + " into a " + FREEZE_MS + " ms freeze of the runner, " + seenToWoken + " ms after it was seen to start");
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, runner.process.exitValue(), runner.err());
        } finally {
            signal("CONT", runner.process.pid());
            runner.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A session that exits 0 by itself while the runner is frozen past its timeoutMs was not timed
     * out: the runner, waking, looked at its timers before the exit reached it, and logged
     * {@code reason timeout, class profile, exitCode 0} (a 300 s SIGSTOP turned six healthy
     * sessions into failures and opened the pod's breaker).
     */
    @Test
    void aSessionThatExitsByItselfWhileTheRunnerIsFrozenPastItsTimeoutFinishes() throws Exception {
        CliProcess runner = startRunner("0.2", ", \"timeoutMs\": 1500");
        try {
            CliProcess.await("the session started", 20_000, () -> Files.exists(dir.resolve("started")));

            freezeWhileTheSessionEnds(runner); // the freeze outlasts the session's timeoutMs

            CliProcess.await("the session's end is logged", 20_000, () -> end() != null);
            EventRecord end = end();
            assertEquals("finish", end.event(), "the session exited 0 by itself: " + end.params());
            assertTrue(end.durMs() < 1_500, "it ran " + end.durMs() + " ms of its own, within its timeoutMs");
        } finally {
            signal("CONT", runner.process.pid());
            runner.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** One profile whose session waits for a file named go, then sleeps {@code lastSleep} seconds and exits 0. */
    private CliProcess startRunner(String lastSleep, String moreSession) throws Exception {
        Path cfg = dir.resolve("runner.json");
        Files.writeString(cfg, """
                {"runner": {"dataDir": "data", "eventLog": "logs/events.jsonl", "startJitterMs": 0},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "touch started; while [ ! -e go ]; do sleep 0.01; done; exec sleep %s"],
                             "cooldownMs": 600000%s},
                 "pods": [{"name": "podA", "concurrency": 1, "profiles": [{"id": "p1"}]}]}
                """.formatted(lastSleep, moreSession));
        return CliProcess.start(dir, "run", "-c", cfg.toString());
    }

    /** SIGSTOP for FREEZE_MS, during which the session is let go and its child exits. */
    private void freezeWhileTheSessionEnds(CliProcess runner) throws Exception {
        // the session's, not the process watchdog's (the runner's child too)
        long child = runner.process.toHandle().children()
                .filter(c -> !c.info().commandLine().orElse("").matches(".*(smart-runner-watchdog|sr-death-watch).*"))
                .findFirst().orElseThrow().pid();
        long stoppedAt = System.nanoTime();
        signal("STOP", runner.process.pid());
        Files.createFile(dir.resolve("go"));
        CliProcess.await("the session's child exited while the runner is frozen", 10_000, () -> zombie(child));
        long left = FREEZE_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        if (left > 0) {
            Thread.sleep(left); // the freeze itself is what is tested
        }
        signal("CONT", runner.process.pid());
    }

    private EventRecord end() {
        Path log = dir.resolve("logs/events.jsonl");
        List<EventRecord> events = Files.exists(log) ? EventLogReader.readAll(log) : List.of();
        return events.stream().filter(e -> e.event().equals("finish") || e.event().equals("error"))
                .findFirst().orElse(null);
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception gone) {
            return true;
        }
    }

    private static void signal(String name, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
    }
}
