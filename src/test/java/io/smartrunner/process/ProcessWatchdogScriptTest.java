package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.ChildProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog script with real processes and real signals, without a JVM runner in the way: a
 * bash "runner" starts a session in its own process group (setsid, as posix_spawn does) with a
 * child in that group, starts the watchdog as its own child on a pipe, tells it the session's group,
 * and forwards the test's lines (feeds) to it. Killing or stopping that runner is then exactly what
 * the watchdog must notice. Two more processes it never tells of, in sessions of their own: one
 * tagged with the runner's id (SR_RUNNER_ID, as a launch the runner died too soon to report), one
 * with another runner's.
 */
class ProcessWatchdogScriptTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String FAKE_RUNNER = """
            dir=$1 timeout=$2
            setsid sh -c 'sleep 1000 & echo $! > "$0/grandchild.pid"; exec sleep 1000' "$dir" \\
              </dev/null >/dev/null 2>&1 &
            session=$!
            echo $session > "$dir/session.pid"
            SR_RUNNER_ID=runner-7 setsid sleep 1000 </dev/null >/dev/null 2>&1 &
            echo $! > "$dir/untold.pid"
            SR_RUNNER_ID=runner-70 setsid sleep 1000 </dev/null >/dev/null 2>&1 &
            echo $! > "$dir/foreign.pid"
            exec 3> >(echo $BASHPID > "$dir/watchdog.pid"; exec bash -c "$WATCHDOG" smart-runner-watchdog $$ "$timeout" - runner-7)
            echo "+ $session" >&3
            echo $$ > "$dir/runner.pid"
            while read -r line; do echo "$line" >&3; echo "$line" >> "$dir/forwarded"; done
            sleep 1000
            """;

    /** A runner with no session at all (a start that failed before its loop): only its watchdog. */
    private static final String IDLE_RUNNER = """
            dir=$1
            exec 3> >(echo $BASHPID > "$dir/watchdog.pid"; exec bash -c "$WATCHDOG" smart-runner-watchdog $$ 0 - runner-8)
            echo $$ > "$dir/runner.pid"
            exec sleep 1000
            """;

    @TempDir
    Path dir;
    private final List<Long> cleanup = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        cleanup.forEach(ChildProcesses::kill);
    }

    private static String script() throws IOException {
        try (InputStream in = ProcessWatchdog.class.getResourceAsStream("/fencing/process-watchdog.bash")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Starts the fake runner; returns it once runner, session, grandchild and watchdog pids are known. */
    private Process runner(long timeoutMs) throws IOException {
        ProcessBuilder b = new ProcessBuilder("bash", "-c", FAKE_RUNNER, "fake-runner", dir.toString(),
                Long.toString(timeoutMs)).redirectError(dir.resolve("runner.err").toFile());
        b.environment().put("WATCHDOG", script());
        Process p = b.start();
        cleanup.add(p.pid());
        for (String name : List.of("runner", "session", "grandchild", "untold", "foreign", "watchdog")) {
            Path file = dir.resolve(name + ".pid");
            Await.until(name + " pid file", BOUND, () -> ChildProcesses.pidFile(file).isPresent());
            cleanup.add(pid(name));
        }
        return p;
    }

    private long pid(String name) {
        return ChildProcesses.pidFile(dir.resolve(name + ".pid")).orElseThrow();
    }

    private String said() throws IOException {
        return Files.readString(dir.resolve("runner.err"));
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    @Test
    void aRunnerKilledWithSigkillTakesItsSessionTreeWithIt() throws Exception {
        Process runner = runner(60_000);
        assertTrue(ChildProcesses.alive(pid("session")) && ChildProcesses.alive(pid("grandchild")));

        signal("KILL", runner.pid());

        Await.until("the session is gone", BOUND, () -> !ChildProcesses.alive(pid("session")));
        Await.until("its child in the same group is gone", BOUND, () -> !ChildProcesses.alive(pid("grandchild")));
        Await.until("the watchdog exits", BOUND, () -> !ChildProcesses.alive(pid("watchdog")));
        assertTrue(said().contains("smart-runner watchdog: "), said());
    }

    @Test
    void aLaunchTheRunnerDiedBeforeTellingOfIsFoundByItsRunnerIdAndNothingElseIs() throws Exception {
        Process runner = runner(60_000);
        assertTrue(ChildProcesses.alive(pid("untold")) && ChildProcesses.alive(pid("foreign")));

        signal("KILL", runner.pid());

        Await.until("the tagged launch it was never told of is gone", BOUND, () -> !ChildProcesses.alive(pid("untold")));
        Await.until("the session is gone", BOUND, () -> !ChildProcesses.alive(pid("session")));
        Await.until("the watchdog exits", BOUND, () -> !ChildProcesses.alive(pid("watchdog")));
        assertTrue(ChildProcesses.alive(pid("foreign")), "SR_RUNNER_ID=runner-70 is another runner's");
    }

    @Test
    void aRunnerThatDiedWithNothingRunningIsNotSaidToHaveKilledItsSessions() throws Exception {
        ProcessBuilder b = new ProcessBuilder("bash", "-c", IDLE_RUNNER, "idle-runner", dir.toString())
                .redirectError(dir.resolve("runner.err").toFile());
        b.environment().put("WATCHDOG", script());
        Process runner = b.start();
        cleanup.add(runner.pid());
        for (String name : List.of("runner", "watchdog")) {
            Await.until(name + " pid file", BOUND, () -> ChildProcesses.pidFile(dir.resolve(name + ".pid")).isPresent());
            cleanup.add(pid(name));
        }

        signal("KILL", runner.pid());

        Await.until("the watchdog exits", BOUND, () -> !ChildProcesses.alive(pid("watchdog")));
        assertTrue(said().contains(": killed nothing: no process of runner pid " + runner.pid() + "'s sessions was running\n"),
                said());
    }

    @Test
    void aFrozenRunnerIsKilledWithItsSessionsOnceItsFeedsStop() throws Exception {
        Process runner = runner(2_000);
        OutputStream feed = runner.getOutputStream();
        feed.write("f\n".getBytes(StandardCharsets.US_ASCII));
        feed.flush();

        signal("STOP", runner.pid());

        Await.until("the session is gone", BOUND, () -> !ChildProcesses.alive(pid("session")));
        Await.until("its child in the same group is gone", BOUND, () -> !ChildProcesses.alive(pid("grandchild")));
        assertTrue(runner.waitFor(60, TimeUnit.SECONDS), "the frozen runner is killed");
        assertEquals(137, runner.exitValue(), "SIGKILL");
        Await.until("the watchdog exits", BOUND, () -> !ChildProcesses.alive(pid("watchdog")));
        assertTrue(said().contains("no sign of life from the runner's engine loop for "), said());
        assertTrue(said().contains("and the runner"), said());
    }

    @Test
    void quitLeavesWithoutKillingAnything() throws Exception {
        Process runner = runner(60_000);
        OutputStream feed = runner.getOutputStream();
        feed.write("q\n".getBytes(StandardCharsets.US_ASCII));
        feed.flush();

        Await.until("the watchdog exits", BOUND, () -> !ChildProcesses.alive(pid("watchdog")));
        signal("KILL", runner.pid());
        assertTrue(runner.waitFor(60, TimeUnit.SECONDS));
        assertTrue(ChildProcesses.alive(pid("session")), "nothing was killed");
        assertTrue(ChildProcesses.alive(pid("grandchild")), "nothing was killed");
        assertFalse(said().contains("killed"), said());
    }

    @Test
    void aGroupTheRunnerSaysHasEndedIsNotKilled() throws Exception {
        Process runner = runner(60_000);
        OutputStream feed = runner.getOutputStream();
        feed.write(("- " + pid("session") + "\n").getBytes(StandardCharsets.US_ASCII));
        feed.flush();
        // once forwarded it is on the pipe, read before the EOF the runner's death makes
        Await.until("the line is forwarded", BOUND, () -> Files.exists(dir.resolve("forwarded")));

        signal("KILL", runner.pid());

        Await.until("the watchdog exits", BOUND, () -> !ChildProcesses.alive(pid("watchdog")));
        assertTrue(said().contains("killed the sessions of runner pid"), said());
        assertTrue(ChildProcesses.alive(pid("session")), "a group the runner gave back is not the watchdog's");
    }
}
