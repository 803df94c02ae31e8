package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subreaper-only fallback with real processes; the test drives the scans itself (two in a row
 * confirm an adopted child), so nothing waits for the once-a-second timer.
 */
class SubreaperTest {
    private static final long SELF = ProcessHandle.current().pid();
    @TempDir
    Path dir;
    private final Children children = new Children();
    private final List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Containment containment;

    @BeforeEach
    void start() {
        System.setProperty(Containment.PROPERTY, "subreaper");
        try {
            containment = Containment.start("test-" + UUID.randomUUID(), dir, Duration.ofMillis(300), said::add);
        } finally {
            System.clearProperty(Containment.PROPERTY);
        }
        assertTrue(containment.describe().startsWith("subreaper (cgroups unavailable: disabled by"),
                containment.describe());
    }

    @AfterEach
    void stop() {
        children.killAll();
        containment.close();
    }

    @Test
    void scansSpaceOutAsTheQuietLastsAndComeBackToASecondOnALaunchOrAnEnd() {
        assertEquals(1000, Subreaper.gapMs(0, false), "busy");
        assertEquals(1000, Subreaper.gapMs(TimeUnit.MILLISECONDS.toNanos(400), false));
        assertEquals(4000, Subreaper.gapMs(TimeUnit.SECONDS.toNanos(4), false), "quiet for 4 s: the next in 4 s");
        assertEquals(Subreaper.QUIET_SCAN_MS, Subreaper.gapMs(TimeUnit.MINUTES.toNanos(10), false), "at most");
        assertEquals(1000, Subreaper.gapMs(TimeUnit.MINUTES.toNanos(10), true), "a child seen once, unexplained");

        Subreaper subreaper = containment.subreaper();
        subreaper.scan();
        long before = subreaper.lastActivityNanos();
        assertEquals(Subreaper.QUIET_SCAN_MS, subreaper.nextScanMs(before + TimeUnit.MINUTES.toNanos(10)));
        subreaper.launched(SELF + 1_000_000, "s-quiet", -1);
        long launched = subreaper.lastActivityNanos();
        assertTrue(launched - before > 0, "a launch is activity");
        assertEquals(1000, subreaper.nextScanMs(launched));
        subreaper.exited(SELF + 1_000_000, "s-quiet");
        assertTrue(subreaper.lastActivityNanos() - launched > 0, "an end is activity");
    }

    @Test
    void aPlainJdkChildInTheRunnersSessionIsNeitherStoppedNorReaped() throws Exception {
        Process plain = new ProcessBuilder("sh", "-c", "read line; exit 5").start();
        children.track(plain.pid());
        scanTwice();
        assertTrue(plain.isAlive(), "not taken for an orphan");
        try (OutputStream in = plain.getOutputStream()) {
            in.write('\n');
        }
        assertTrue(plain.waitFor(10, TimeUnit.SECONDS));
        scanTwice();
        assertEquals(5, plain.exitValue(), "its exit status is the JDK's to collect");
    }

    @Test
    void anAdoptedDaemonLivesWhileItsSessionRunsAndIsStoppedWhenItEnds() throws Exception {
        String session = children.newSession();
        Path pidFile = dir.resolve("daemon.pid");
        RunningProcess p = new PosixSpawnLauncher().launch(Children.spec(session, dir, "/bin/sh", "-c",
                "(setsid env -i sh -c 'echo $$ > \"$0\".tmp && mv \"$0\".tmp \"$0\" && exec sleep 1000' "
                        + pidFile + " &) ; exec sleep 1000"));
        Children.await("the daemon wrote its pid", () -> Files.exists(pidFile));
        long daemon = children.track(Long.parseLong(Files.readString(pidFile).trim()));
        Children.await("the runner adopted the daemon", () -> parent(daemon) == SELF);
        // launched from a test thread, adopted under the main thread: the one list the scans read
        assertEquals(List.of(daemon), SelfChildren.list(pid -> pid == daemon).stream().map(ProcStat::pid).toList());
        scanTwice();
        assertTrue(Children.alive(daemon), "its session still runs");

        p.stop(Duration.ofMillis(300)).get();
        Children.await("the daemon stopped after its session ended", () -> {
            containment.subreaper().scan();
            return !Children.alive(daemon);
        });
        Children.await("and reaped: no zombie left", () -> {
            containment.subreaper().scan();
            return ProcFs.stat(daemon).isEmpty();
        });
    }

    @Test
    void anAdoptedChildThatExitsIsReapedAndLeavesNoZombie() throws Exception {
        String session = children.newSession();
        Path go = dir.resolve("go");
        Path pidFile = dir.resolve("quick.pid");
        new PosixSpawnLauncher().launch(Children.spec(session, dir, "/bin/sh", "-c",
                "(setsid sh -c 'echo $$ > \"$0\"; while [ ! -e \"$1\" ]; do sleep 0.01; done' " + pidFile + " " + go
                        + " &) ; exec sleep 1000"));
        Children.await("the child wrote its pid", () -> pidFileComplete(pidFile));
        long quick = Long.parseLong(Files.readString(pidFile).trim());
        Children.await("the runner adopted it", () -> parent(quick) == SELF);
        scanTwice();
        Files.createFile(go);
        Children.await("it exited (a zombie until reaped)", () -> !Children.alive(quick));
        Children.await("reaped by the subreaper's scans", () -> {
            containment.subreaper().scan();
            return ProcFs.stat(quick).isEmpty();
        });
    }

    private void scanTwice() {
        containment.subreaper().scan();
        containment.subreaper().scan();
    }

    private static long parent(long pid) {
        Optional<ProcStat> s = ProcFs.stat(pid);
        return s.map(ProcStat::ppid).orElse(-1L);
    }

    private static boolean pidFileComplete(Path f) {
        try {
            return Files.readString(f).endsWith("\n");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
