package io.smartrunner.process;

import static io.smartrunner.process.Children.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunningProcessStopTest {
    /** Grandchildren that resist: one ignores SIGTERM, one escapes to its own session, one is stopped. */
    private static final String STUBBORN_TREE = """
            sh -c 'trap "" TERM; exec sleep 1000' &
            setsid sleep 1000 &
            sleep 1000 &
            kill -STOP $!
            env -i sleep 1000 &
            wait
            """;

    private final ProcessLauncher launcher = PosixSpawnLauncher.best();
    private final Children children = new Children();
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        children.killAll();
    }

    /**
     * A runner's shutdown signals every group first ({@link RunningProcess#termGroupAhead}); the
     * stop after it sends no second SIGTERM (to a program whose handler counts them, a second
     * one often means "quit now").
     */
    @Test
    void aGroupSignalledAheadGetsOneSigtermInAll() throws Exception {
        Path terms = dir.resolve("terms");
        RunningProcess child = launcher.launch(spec(children.newSession(), dir, "/bin/sh", "-c",
                "trap 'echo TERM >> " + terms + "' TERM; touch " + dir.resolve("ready")
                        + "; while :; do sleep 0.05; done"));
        Children.await("trap set", () -> Files.exists(dir.resolve("ready")));

        Runnable term = child.termGroupAhead();
        org.junit.jupiter.api.Assertions.assertNotNull(term, "the runner's own launch: its group is checked");
        term.run();
        // its line written, not just the file: the trap's `>>` creates it a moment before echo writes,
        // and the stop's SIGKILL at the grace's end may fall in between on a loaded host
        Children.await("the trap ran", () -> linesOf(terms).contains("TERM"));
        child.stop(Duration.ofMillis(500)).get(20, TimeUnit.SECONDS);

        assertEquals(List.of("TERM"), Files.readAllLines(terms));
        assertEquals("SIGKILL", child.onExit().get(10, TimeUnit.SECONDS).signal(), "outlived the grace: killed");
    }

    @Test
    void stopLeavesNoProcessOfTheSessionAlive() throws Exception {
        String session = children.newSession();
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c", STUBBORN_TREE));
        // sh + the sh that execs sleep + setsid'd sleep + stopped sleep (env -i sleep is untagged)
        Children.await("tree started", () -> Children.tagged(session).size() >= 4 && hasStoppedMember(session));
        long untagged = children.track(untaggedChildOf(child.pid()));

        child.stop(Duration.ofMillis(300)).get(20, TimeUnit.SECONDS);

        assertEquals(List.of(), Children.tagged(session));
        assertTrue(!Children.alive(untagged), "untagged group member survived");
        assertEquals("SIGTERM", child.onExit().get(10, TimeUnit.SECONDS).signal());
    }

    @Test
    void untaggedGroupMemberIgnoringSigtermIsKilledAfterTheLeaderDied() throws Exception {
        String session = children.newSession();
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c",
                "sh -c 'trap \"\" TERM; exec env -i sleep 1000' & wait"));
        // the inner sh ignores SIGTERM, then becomes a sleep without the session's tags
        long untagged = children.track(untaggedChildOf(child.pid()));

        child.stop(Duration.ofMillis(200)).get(20, TimeUnit.SECONDS);

        assertEquals("SIGTERM", child.onExit().get(10, TimeUnit.SECONDS).signal());
        assertTrue(!Children.alive(untagged), "untagged group member survived");
    }

    @Test
    void leaderIgnoringSigtermIsKilledAfterGrace() throws Exception {
        String session = children.newSession();
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c", "trap '' TERM; sleep 1000"));
        Children.await("sleep started", () -> Children.tagged(session).size() >= 2);

        child.stop(Duration.ofMillis(100)).get(20, TimeUnit.SECONDS);

        assertEquals("SIGKILL", child.onExit().get(10, TimeUnit.SECONDS).signal());
        assertEquals(List.of(), Children.tagged(session));
    }

    /** The failure this guards against: the stop's later scans sent SIGTERM to the handler's own commands. */
    @Test
    void whatTheSessionsTermHandlerStartsRunsThroughTheGrace() throws Exception {
        String session = children.newSession();
        Path cleaned = dir.resolve("cleaned");
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c",
                "trap 'sleep 1 && echo cleaned > \"$0\"; exit 0' TERM; sleep 1000 & wait", cleaned.toString()));
        Children.await("the handler is set and sleep started", () -> Children.tagged(session).size() >= 2);

        child.stop(Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);

        assertEquals(0, child.onExit().get(10, TimeUnit.SECONDS).exitCode(), "the handler ran to its exit 0");
        assertEquals("cleaned\n", Files.readString(cleaned), "the handler's own sleep was left to finish");
    }

    /** Same for a member outside the group (its own session), which the first scan sends SIGTERM to. */
    @Test
    void whatAMemberOutsideTheGroupStartsInItsTermHandlerRunsThroughTheGrace() throws Exception {
        String session = children.newSession();
        Path cleaned = dir.resolve("cleaned");
        // The daemon's child ignores SIGTERM (the daemon's handler kills it): a plain sleep, SIGTERMed
        // by the same scan a moment before the daemon, could end the daemon's wait first, and the
        // daemon then reached the end of its script and exited 0 without running its handler
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c",
                "setsid sh -c 'trap \"kill -KILL \\$! 2>/dev/null; sleep 1 && echo cleaned > \\\"\\$0\\\"; exit 0\" TERM;"
                        + " (trap \"\" TERM; exec sleep 1000) & wait' \"$0\" & wait",
                cleaned.toString()));
        // the leader, the daemon, the daemon's sleep: exec'd, ignoring SIGTERM (forked after the handler was set)
        Children.await("the daemon's handler is set and its sleep started", () -> Children.tagged(session).size() >= 3
                && Children.tagged(session).stream().anyMatch(pid -> comm(pid).equals("sleep") && Children.ignoresSigterm(pid)));

        child.stop(Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);

        assertEquals("cleaned\n", Files.readString(cleaned), "the daemon's handler ran to its end");
        assertEquals(List.of(), Children.tagged(session));
    }

    /** Left alone is not left behind: what the handler starts still gets the SIGKILL at the grace's end. */
    @Test
    void whatTheTermHandlerStartsIsKilledWhenItOutlivesTheGrace() throws Exception {
        String session = children.newSession();
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c",
                "trap 'sleep 1000; exit 0' TERM; sleep 1000 & wait"));
        Children.await("the handler is set and sleep started", () -> Children.tagged(session).size() >= 2);

        child.stop(Duration.ofMillis(300)).get(30, TimeUnit.SECONDS);

        assertEquals("SIGKILL", child.onExit().get(10, TimeUnit.SECONDS).signal());
        assertEquals(List.of(), Children.tagged(session));
    }

    @Test
    void stopIsIdempotent() throws Exception {
        RunningProcess child = launcher.launch(spec(children.newSession(), dir, "sleep", "1000"));

        CompletableFuture<Void> first = child.stop(Duration.ofSeconds(5));
        CompletableFuture<Void> second = child.stop(Duration.ZERO);

        assertSame(first, second);
        first.get(20, TimeUnit.SECONDS);
        assertEquals("SIGTERM", child.onExit().get(10, TimeUnit.SECONDS).signal());
    }

    @Test
    void stoppingAnExitedSessionCompletesAtOnce() throws Exception {
        RunningProcess child = launcher.launch(spec(children.newSession(), dir, "true"));
        child.onExit().get(10, TimeUnit.SECONDS);

        child.stop(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void manySessionsStoppedTogetherAllEnd() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        List<RunningProcess> sessions = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(children.newSession());
            sessions.add(launcher.launch(spec(ids.get(i), dir, "/bin/sh", "-c", "trap '' TERM; sleep 1000 & wait")));
        }

        CompletableFuture.allOf(sessions.stream().map(s -> s.stop(Duration.ofMillis(100)))
                .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        for (int i = 0; i < ids.size(); i++) {
            assertEquals(List.of(), Children.tagged(ids.get(i)));
            sessions.get(i).onExit().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A stop ends once the reaped leader has left nothing of its session, not at the next of its
     * backing-off scans (a session whose TERM handler took 0.35 s ended 0.23 s after its exit).
     * The scans the stop plans are held here: only the look the reaped leader asks for can end it.
     */
    @Test
    void aStopEndsWhenTheReapedLeaderLeftNothing() throws Exception {
        HeldTimers timers = new HeldTimers();
        try {
            ProcessLauncher held = new PosixSpawnLauncher(ChildEnvironment.ofThisProcess(), timers);
            String session = children.newSession();
            // Deterministic only if sleep is gone before its leader: the leader reaps it before it
            // exits (a member still dying at the look would rightly keep the stop going, to the
            // scans held here), and the stop waits for sleep's exec (a TERM that reaches the forked
            // shell before its exec goes to the shell's handler and is lost at the exec).
            RunningProcess child = held.launch(spec(session, dir, "/bin/sh", "-c",
                    "trap 'kill $! 2>/dev/null; wait $!; exit 0' TERM; sleep 1000 & wait"));
            Children.await("the handler is set and sleep started", () -> Children.tagged(session).stream()
                    .anyMatch(pid -> comm(pid).equals("sleep")));

            child.stop(Duration.ofSeconds(60)).get(20, TimeUnit.SECONDS);

            assertEquals(List.of(), Children.tagged(session));
            assertTrue(timers.heldCount() > 0, "the stop had planned a scan of its own");
        } finally {
            timers.end();
        }
    }

    /** The look at the leader's reaping ends nothing while a member lives: the planned scans go on to the SIGKILL. */
    @Test
    void aMemberLeftAliveKeepsTheStopGoingAfterTheLeaderIsReaped() throws Exception {
        HeldTimers timers = new HeldTimers();
        try {
            ProcessLauncher held = new PosixSpawnLauncher(ChildEnvironment.ofThisProcess(), timers);
            String session = children.newSession();
            RunningProcess child = held.launch(spec(session, dir, "/bin/sh", "-c",
                    "sh -c 'trap \"\" TERM; exec sleep 1000' & wait"));
            Children.await("the TERM-proof sleep started", () -> Children.tagged(session).size() >= 2
                    && Children.tagged(session).stream().anyMatch(pid -> comm(pid).equals("sleep")));
            int ranBefore = timers.ranNow();

            CompletableFuture<Void> stopped = child.stop(Duration.ofMillis(100));
            assertEquals("SIGTERM", child.onExit().get(10, TimeUnit.SECONDS).signal());
            Children.await("the reaped leader's look ran", () -> timers.ranNow() > ranBefore);
            assertTrue(!stopped.isDone(), "a member lives: the stop is not over");
            assertEquals(1, Children.tagged(session).size());

            Children.await("the planned scans reached the SIGKILL and saw it work", () -> {
                timers.release();
                return stopped.isDone();
            });
            stopped.get(1, TimeUnit.SECONDS);
            assertEquals(List.of(), Children.tagged(session));
        } finally {
            timers.end();
        }
    }

    /** Runs what is due now; holds every delayed task until {@link #release}. */
    private static final class HeldTimers extends ScheduledThreadPoolExecutor {
        private final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
        private final AtomicInteger heldEver = new AtomicInteger();
        private final AtomicInteger ranNow = new AtomicInteger();

        HeldTimers() {
            super(1);
            setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // the never-due stand-ins
        }

        /** Runs what is held (a cgroup's removal, say), then ends. */
        void end() throws InterruptedException {
            release();
            shutdown();
            awaitTermination(10, TimeUnit.SECONDS);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            if (delay > 0) {
                held.add(task);
                heldEver.incrementAndGet();
                return super.schedule(() -> { }, 365, TimeUnit.DAYS); // never due in a test
            }
            return super.schedule(() -> {
                try {
                    task.run();
                } finally {
                    ranNow.incrementAndGet();
                }
            }, 0, unit);
        }

        /** Runs every task held so far (on the timer thread, as if its time had come). */
        void release() {
            for (Runnable task = held.poll(); task != null; task = held.poll()) {
                super.schedule(task, 0, TimeUnit.NANOSECONDS);
            }
        }

        int heldCount() {
            return heldEver.get();
        }

        int ranNow() {
            return ranNow.get();
        }
    }

    private static List<String> linesOf(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException notYet) {
            return List.of();
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (java.io.IOException e) {
            return ""; // gone
        }
    }

    private static boolean hasStoppedMember(String session) {
        return Children.tagged(session).stream()
                .anyMatch(pid -> ProcFs.stat(pid).map(s -> s.state() == 'T').orElse(false));
    }

    private static long untaggedChildOf(long leader) {
        Children.await("untagged child", () -> findUntagged(leader) > 0);
        return findUntagged(leader);
    }

    private static long findUntagged(long leader) {
        return ProcFs.scan().values().stream()
                .filter(p -> p.ppid() == leader && !p.dead() && ProcFs.environ(p.pid()).isEmpty())
                .mapToLong(ProcStat::pid).findFirst().orElse(-1);
    }
}
