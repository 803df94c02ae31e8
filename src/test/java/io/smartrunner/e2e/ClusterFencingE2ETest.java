package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.ChildProcesses;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Process fencing in cluster mode (docs/cluster-fencing.md), with real runner processes on a real
 * PostgreSQL and real signals: a runner killed with SIGKILL, or frozen with SIGSTOP, does not
 * leave its sessions running (another machine will take their profiles over once the leases
 * expire). Each session has a child in its process group and a {@code setsid} escapee. Run with
 * cgroups ({@code auto}, root here) and with the subreaper-only fallback.
 */
@Tag("e2e")
class ClusterFencingE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final AtomicInteger RUNNERS = new AtomicInteger();
    private static final Pattern WATCHDOG_PID = Pattern.compile("process watchdog pid (\\d+)");

    @TempDir
    Path dir;
    private final List<CliProcess> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(p -> p.process.destroyForcibly());
        for (String prefix : List.of("child-", "grand-", "escapee-")) {
            ChildProcesses.pidFiles(dir, prefix).forEach(ChildProcesses::kill);
        }
    }

    private String url;

    private CliProcess runner(String mode) throws IOException, InterruptedException {
        return runner(mode, List.of());
    }

    /** @param wrapper what the runner's command line is run under ({@code setsid}: a group of its own, as a shell's job) */
    private CliProcess runner(String mode, List<String> wrapper) throws IOException, InterruptedException {
        url = PostgresServer.shared().newDatabase("e2e_fencing");
        String name = "fence-" + RUNNERS.incrementAndGet();
        String session = ("echo $$ > %1$s/child-{sessionId}.pid; sleep 1000 & echo $! > %1$s/grand-{sessionId}.pid;"
                + " setsid sleep 1000 & echo $! > %1$s/escapee-{sessionId}.pid; wait").formatted(dir);
        Path cfg = Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s", "dataDir": "data", "eventLog": "logs/events.jsonl"},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "cluster": {"watchdogMs": 2000},
                 "session": {"command": ["/bin/sh", "-c", "%s"], "cooldownMs": 600000, "stopGraceMs": 500},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]},
                          {"name": "podB", "profiles": [{"id": "p2"}],
                           "session": {"command": ["/bin/sh", "-c", "while [ ! -e %s/go ]; do sleep 0.05; done"]}}]}
                """.formatted(name, url, PASSWORD_VAR, session, dir));
        CliProcess p = CliProcess.startUnder(wrapper, dir, Map.of(PASSWORD_VAR, PostgresServer.PASSWORD,
                "SMART_RUNNER_CONTAINMENT", mode), "run", "-c", cfg.toString());
        started.add(p);
        p.httpPort();
        for (String prefix : List.of("child-", "grand-", "escapee-")) {
            await("the session's " + prefix + " pid", () -> ChildProcesses.pidFiles(dir, prefix).size() == 1);
        }
        return p;
    }

    /** Bounded wait; a timeout says what the runner said and what the session processes are. */
    private void await(String what, java.util.function.BooleanSupplier condition) {
        try {
            CliProcess.await(what, 60_000, condition);
        } catch (AssertionError e) {
            StringBuilder seen = new StringBuilder(e.getMessage());
            for (String prefix : List.of("child-", "grand-", "escapee-")) {
                for (long pid : ChildProcesses.pidFiles(dir, prefix)) {
                    seen.append("\n").append(prefix).append(pid).append(": ").append(stat(pid));
                }
            }
            try {
                seen.append("\nthe runner said:\n").append(started.get(started.size() - 1).err());
            } catch (IOException | IndexOutOfBoundsException none) {
                seen.append("\n(no runner output)");
            }
            throw new AssertionError(seen.toString(), e);
        }
    }

    private static String stat(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "stat")).strip();
        } catch (IOException gone) {
            return "gone";
        }
    }

    private long pid(String prefix) {
        return ChildProcesses.pidFiles(dir, prefix).get(0);
    }

    private static long watchdogPid(CliProcess runner, int nth) {
        Matcher m;
        try {
            m = WATCHDOG_PID.matcher(runner.err());
        } catch (IOException e) {
            return -1;
        }
        for (int i = 0; i < nth; i++) {
            if (!m.find()) {
                return -1;
            }
        }
        return Long.parseLong(m.group(1));
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    private void awaitGone(String prefix) {
        long pid = pid(prefix);
        await(prefix + pid + " is gone", () -> !ChildProcesses.alive(pid));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "subreaper"})
    void aRunnerKilledWithSigkillTakesItsSessionsWithIt(String mode) throws Exception {
        CliProcess runner = runner(mode);
        long watchdog = watchdogPid(runner, 1);
        assertTrue(ChildProcesses.alive(pid("child-")) && ChildProcesses.alive(pid("grand-")));

        signal("KILL", runner.process.pid());

        awaitGone("child-");
        awaitGone("grand-");
        // what left the session's process group: cgroup.kill, and without cgroups the SR_RUNNER_ID
        // it still carries (docs/cluster-fencing.md)
        awaitGone("escapee-");
        assertTrue(watchdog > 0, runner.err());
        CliProcess.await("the watchdog exits", 60_000, () -> !ChildProcesses.alive(watchdog));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "subreaper"})
    void aFrozenRunnerIsKilledWithItsSessions(String mode) throws Exception {
        CliProcess runner = runner(mode);

        signal("STOP", runner.process.pid());

        assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), "the frozen runner is killed");
        assertEquals(137, runner.process.exitValue(), "SIGKILL");
        awaitGone("child-");
        awaitGone("grand-");
        awaitGone("escapee-"); // adopted by the (stopped) runner as subreaper: found below it
        assertTrue(runner.err().contains("smart-runner watchdog: no sign of life from the runner's engine loop for "),
                runner.err());
    }

    /**
     * Reviewer R12: {@code kill -STOP -<pgid>} (a shell's {@code kill -STOP %1}) froze the watchdog
     * with the runner, its sessions (each in a group of its own) ran on, and after the TTL another
     * runner started every profile beside them. The watchdog leads a session of its own now.
     */
    @Test
    void aRunnersWholeProcessGroupFrozenStillHasItsSessionsKilled() throws Exception {
        CliProcess runner = runner("auto", List.of("setsid"));
        long group = runner.process.pid();
        assertEquals(group, sessionAndGroup(group)[1], "the runner leads its group, as a shell's job does");
        long watchdog = watchdogPid(runner, 1);
        assertTrue(watchdog > 0, runner.err());
        assertEquals(watchdog, sessionAndGroup(watchdog)[0], "the watchdog leads a session of its own");

        assertEquals(0, new ProcessBuilder("kill", "-STOP", "--", "-" + group).start().waitFor());

        assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), "the frozen runner is killed");
        assertEquals(137, runner.process.exitValue(), "SIGKILL");
        awaitGone("child-");
        awaitGone("grand-");
        awaitGone("escapee-");
        assertTrue(runner.err().contains("smart-runner watchdog: no sign of life from the runner's engine loop for "),
                runner.err());
    }

    /** {session id, process group id} of a live process, from /proc/PID/stat. */
    private static long[] sessionAndGroup(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(after[3]), Long.parseLong(after[2])};
    }

    /**
     * The JVM is alive and answers HTTP, but the engine loop is stuck: it waits for a state write
     * that never ends. A write gives up when the server is silent for longer than the store's wait
     * (ClusterSettings.storeWaitMs: a lock held against it, a server stopped or cut off), so the
     * server here keeps talking: a trigger raises a notice every 0.2 s and never returns, and the
     * socket's timeout cannot tell that from a slow answer.
     */
    @Test
    void aRunnerWhoseLoopIsStuckIsKilledWithItsSessions() throws Exception {
        CliProcess runner = runner("auto");
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection lock = PostgresServer.shared().connect(database)) {
            lock.createStatement().execute("CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN LOOP RAISE NOTICE 'still here'; PERFORM pg_sleep(0.2); END LOOP; END $$");
            lock.createStatement().execute("CREATE TRIGGER stall BEFORE INSERT OR UPDATE ON profiles"
                    + " FOR EACH ROW EXECUTE FUNCTION stall()");
            Files.createFile(dir.resolve("go")); // p2's session ends: the loop writes its state, and waits

            assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), "the stuck runner is killed");
            assertEquals(137, runner.process.exitValue(), "SIGKILL");
            awaitGone("child-");
            awaitGone("grand-");
            awaitGone("escapee-");
            assertTrue(runner.err().contains("smart-runner watchdog: no sign of life from the runner's engine loop"),
                    runner.err());
        }
    }

    @Test
    void aKilledWatchdogIsReplacedAndTheSessionsStillDieWithTheRunner() throws Exception {
        CliProcess runner = runner("auto");
        long first = watchdogPid(runner, 1);

        signal("KILL", first);

        CliProcess.await("a new watchdog", 60_000, () -> watchdogPid(runner, 2) > 0);
        long second = watchdogPid(runner, 2);
        assertNotEquals(first, second, runner.err());
        assertTrue(runner.err().contains("the process watchdog (pid " + first + ") exited with 137; started a new one"),
                runner.err());
        assertTrue(ChildProcesses.alive(pid("child-")), "the session runs on");

        signal("KILL", runner.process.pid());

        awaitGone("child-");
        awaitGone("grand-");
    }

    @Test
    void aStoppedWatchdogIsReplaced() throws Exception {
        CliProcess runner = runner("subreaper");
        long first = watchdogPid(runner, 1);

        signal("STOP", first);

        CliProcess.await("a new watchdog", 60_000, () -> watchdogPid(runner, 2) > 0);
        assertTrue(runner.err().contains("the process watchdog (pid " + first + ") is stopped; replacing it"),
                runner.err());
        CliProcess.await("the stopped one is gone", 60_000, () -> !ChildProcesses.alive(first));

        signal("KILL", runner.process.pid());

        awaitGone("child-");
        awaitGone("grand-");
    }

    @Test
    void aGracefulStopLeavesNoWatchdogAndKillsNothingItself() throws Exception {
        CliProcess runner = runner("auto");
        long watchdog = watchdogPid(runner, 1);

        runner.process.destroy();

        assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
        assertEquals(0, runner.process.exitValue(), runner.err());
        CliProcess.await("the watchdog exits", 60_000, () -> !ChildProcesses.alive(watchdog));
        assertFalse(runner.err().contains("smart-runner watchdog:"), runner.err());
        awaitGone("child-"); // stopped by the runner itself
    }
}
