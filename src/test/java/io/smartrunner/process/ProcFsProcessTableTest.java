package io.smartrunner.process;

import static io.smartrunner.process.Children.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsProcessTableTest {
    private final ProcessLauncher launcher = PosixSpawnLauncher.best();
    private final ProcFsProcessTable table = new ProcFsProcessTable();
    private final Children children = new Children();
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        children.killAll();
    }

    @Test
    void stopSessionSparesAProcessWhoseStartTimeDoesNotMatch() throws Exception {
        ProcessHandle stranger = children.unrelatedSleeper();
        long realTicks = ProcFs.stat(stranger.pid()).orElseThrow().startTicks();

        // as if the persisted session's pid had since been reused by this stranger
        table.stopSession(stranger.pid(), realTicks - 1, children.newSession(), Duration.ofMillis(50));

        assertTrue(stranger.isAlive());
        assertEquals(realTicks, ProcFs.stat(stranger.pid()).orElseThrow().startTicks());
    }

    @Test
    void stopSessionStopsThePersistedGroupAndTaggedProcesses() throws Exception {
        String session = children.newSession();
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c",
                "setsid sleep 1000 & env -i sleep 1000 & wait"));
        // the tree's final shape, not a moment on the way to it: the setsid'd sleep tagged outside
        // the group, and env -i's sleep exec'd (in the group, its tag gone)
        Children.await("tree started", () -> {
            List<Long> tagged = Children.tagged(session);
            List<ProcStat> group = Children.group(child.pid());
            return tagged.stream().anyMatch(pid -> group.stream().noneMatch(g -> g.pid() == pid))
                    && group.stream().anyMatch(g -> !tagged.contains(g.pid()));
        });

        int signalled = table.stopSession(child.pid(), child.startTicks(), session, Duration.ofMillis(200));

        assertEquals(3, signalled);
        assertEquals(List.of(), Children.tagged(session));
        assertEquals(0, Children.group(child.pid()).size());
    }

    @Test
    void manySessionsAreStoppedTogetherNotOneGraceAfterAnother() throws Exception {
        // three sessions that note their SIGTERM and ignore it: one after the other, the second's
        // SIGTERM would only come once the first had been SIGKILLed at the end of its grace
        List<RunningProcess> sessions = new java.util.ArrayList<>();
        List<ProcessTable.SessionToStop> stops = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String session = children.newSession();
            Path mark = dir.resolve("term-" + i);
            RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c",
                    "trap 'echo term > " + mark + "' TERM; while :; do sleep 0.05; done"));
            sessions.add(child);
            stops.add(new ProcessTable.SessionToStop(child.pid(), child.startTicks(), session));
        }
        // each shell's trap set (a SIGTERM handler), not merely the shell there: one still starting
        // up when its SIGTERM came would die of it without noting it, and the wait below would time out
        Children.await("shells trapping", () -> sessions.stream().allMatch(c -> Children.catchesSigterm(c.pid())));
        java.util.concurrent.CompletableFuture<Integer> stopping = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> table.stopSessions(stops, Duration.ofSeconds(3)));

        Children.await("every session's SIGTERM", () -> java.nio.file.Files.exists(dir.resolve("term-2"))
                && java.nio.file.Files.exists(dir.resolve("term-1")) && java.nio.file.Files.exists(dir.resolve("term-0")));
        assertTrue(sessions.stream().allMatch(c -> Children.alive(c.pid())),
                "every SIGTERM went out while the first session was still in its grace");
        assertTrue(stopping.get(30, TimeUnit.SECONDS) >= 3);
        assertTrue(sessions.stream().noneMatch(c -> Children.alive(c.pid())), "and all were SIGKILLed after it");
    }

    @Test
    void sweepKillsLeftoversOfEndedSessionsAndSparesOtherGroups() throws Exception {
        String ended = children.newSession();
        RunningProcess daemonising = launcher.launch(spec(ended, dir, "/bin/sh", "-c", "sleep 1000 & exit 0"));
        daemonising.onExit().get(10, TimeUnit.SECONDS);
        // the final shape, read once: the forked shell exec'ing sleep is briefly unreadable, so a second
        // read right after a first that saw it could find none (CI: "Index 0 out of bounds")
        long[] found = new long[1];
        Children.await("leftover, exec'd", () -> {
            List<Long> tagged = Children.tagged(ended);
            if (tagged.size() != 1 || !"sleep".equals(comm(tagged.get(0)))) {
                return false;
            }
            found[0] = tagged.get(0);
            return true;
        });
        long leftover = found[0];
        String other = children.newSession();
        RunningProcess otherSession = launcher.launch(spec(other, dir, "sleep", "1000"));
        ProcessHandle stranger = children.unrelatedSleeper();

        int killed = table.sweepLeftovers(Map.of(daemonising.pgid(), ended,
                otherSession.pgid(), "some-other-session", stranger.pid(), ended));

        assertEquals(1, killed);
        Children.await("leftover gone", () -> !Children.alive(leftover));
        assertTrue(Children.alive(otherSession.pid()));
        assertTrue(stranger.isAlive());
    }

    @Test
    void taggedFindsTheRunnersProcessesWithTheirTags() throws Exception {
        String session = children.newSession();
        String runner = "runner-" + session;
        RunningProcess child = launcher.launch(new LaunchSpec(session, List.of("sleep", "1000"),
                Map.of("SR_SESSION_ID", session, "SR_RUNNER_ID", runner, "SR_PROFILE_ID", "k12", "SR_POD", "podA"),
                null, OutputFiles.forProfile(dir, "p1", 0, 0)));

        // Until the JDK's spawn helper has exec'd the child, /proc shows the helper's environment.
        Await.until("the child's own environment in /proc", Duration.ofSeconds(5), () -> !table.tagged(runner).isEmpty());

        assertEquals(List.of(new ProcessTable.TaggedProcess(child.pid(), child.startTicks(), session, "k12", "podA")),
                table.tagged(runner));
    }

    @Test
    void adoptTakesOverTheTaggedGroupLeaderNoticesItsExitAndStopsItsTree() throws Exception {
        String run = children.newSession();
        String runner = "runner-" + run;
        RunningProcess left = launcher.launch(new LaunchSpec(run, List.of("/bin/sh", "-c", "sleep 1000 & wait"),
                Map.of("SR_SESSION_ID", run, "SR_RUNNER_ID", runner), null, OutputFiles.forProfile(dir, "p1", 0, 0)));
        Children.await("tree started", () -> Children.tagged(run).size() >= 2 && table.adopt(runner, run).isPresent());

        RunningProcess adopted = table.adopt(runner, run).orElseThrow();
        assertEquals(left.pid(), adopted.pid(), "the group leader, not its child");
        assertEquals(left.startTicks(), adopted.startTicks());
        assertTrue(table.adopt("another-runner", run).isEmpty(), "only this runner's own");
        assertTrue(table.adopt(runner, "another-run").isEmpty());
        assertFalse(adopted.onExit().isDone());

        adopted.stop(Duration.ofMillis(200)).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), Children.tagged(run));
        adopted.onExit().get(5, TimeUnit.SECONDS);
    }

    private static String comm(long pid) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/comm")).strip();
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
