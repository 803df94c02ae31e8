package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionOutputTest {
    private static final long MiB = 1024 * 1024;
    /**
     * How far past its cap a file may grow: what a writer doing 1-2 GB/s adds between two polls
     * and during the copy, when the polling thread is descheduled or stopped by a GC for a few ms.
     */
    private static final long SLACK = 60 * MiB;
    private final ProcessLauncher launcher = PosixSpawnLauncher.best();
    private final Children children = new Children();
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        children.killAll();
    }

    @Test
    void floodingChildFinishesAndLogsStayWithinCapAndKeep() throws Exception {
        warmUpRotation();
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 10 * MiB, 2);
        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(),
                List.of("head", "-c", "100000000", "/dev/zero"), Map.of(), null, files));

        while (!child.onExit().isDone()) {
            child.pollOutput();
        }
        long written = child.pollOutput();
        // the end's poll hands its rotation aside (a rotator's thread): the cap holds once it is done
        io.smartrunner.testkit.Await.until("the last rotation is done", java.time.Duration.ofSeconds(30),
                () -> files.stdout().toFile().length() <= 10 * MiB);

        assertEquals(ExitStatus.exited(0), child.onExit().get(60, TimeUnit.SECONDS));
        // how many rotations happened depends on how often the poll loop got the CPU
        assertTrue(Files.exists(LogRotation.numbered(files.stdout(), 1)), "never rotated");
        assertFalse(Files.exists(LogRotation.numbered(files.stdout(), 3)), "kept more than 2 rotations");
        assertTrue(Files.size(files.stdout()) <= 10 * MiB, "live file " + Files.size(files.stdout()));
        long kept = Files.size(files.stdout());
        for (int n = 1; n <= 2; n++) {
            Path rotated = LogRotation.numbered(files.stdout(), n);
            long size = Files.exists(rotated) ? Files.size(rotated) : 0;
            assertTrue(size <= 10 * MiB + SLACK, rotated + " " + size);
            kept += size;
        }
        // what is on disk was counted; what copy-truncate lost may or may not have been
        assertTrue(written >= kept && written <= 100_000_000L, "pollOutput " + written + ", kept " + kept);
    }

    @Test
    void outputIsCountedExactlyWhenNothingIsRotated() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 0, 0);
        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(),
                List.of("head", "-c", "100000000", "/dev/zero"), Map.of(), null, files));

        assertEquals(ExitStatus.exited(0), child.onExit().get(60, TimeUnit.SECONDS));

        assertEquals(100_000_000L, child.pollOutput());
    }

    /** Loads and compiles the rotation path, so the flood's first poll is not late by a class load. */
    private void warmUpRotation() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir.resolve("warm-up"), "p1", 10, 1);
        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(),
                List.of("head", "-c", "100", "/dev/zero"), Map.of(), null, files));
        child.onExit().get(10, TimeUnit.SECONDS);
        child.pollOutput();
    }

    @Test
    void pollOutputNeverDecreases() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 1000, 2);
        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(),
                List.of("/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line $i; echo err $i >&2; i=$((i+1)); done"),
                Map.of(), null, files));

        long last = 0;
        while (!child.onExit().isDone()) {
            long now = child.pollOutput();
            assertTrue(now >= last, now + " < " + last);
            last = now;
        }
        child.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(child.pollOutput() >= last);
    }

    @Test
    void stderrTailHasOnlyThisSessionsOutput() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 0, 0);
        launcher.launch(new LaunchSpec(children.newSession(), List.of("/bin/sh", "-c", "echo earlier session >&2"),
                Map.of(), null, files)).onExit().get(10, TimeUnit.SECONDS);

        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(),
                List.of("/bin/sh", "-c", "printf 'boom: ünïcødé' >&2; exit 1"), Map.of(), null, files));
        child.onExit().get(10, TimeUnit.SECONDS);

        assertEquals("boom: ünïcødé", child.stderrTail(4096));
        assertEquals("ødé", child.stderrTail(5));
        // 4 bytes cut "ø" (2 bytes) in half: the leading half is dropped
        assertEquals("dé", child.stderrTail(4));
        assertEquals("", child.stderrTail(0));
    }

    @Test
    void stderrTailReachesIntoTheRotatedFile() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 100, 1);
        Files.writeString(files.stderr(), "x".repeat(50), StandardCharsets.UTF_8);
        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(),
                List.of("/bin/sh", "-c", "printf 'abcdefghij%.0s' 1 2 3 4 5 6 7 8 9 10 >&2"), Map.of(), null, files));
        child.onExit().get(10, TimeUnit.SECONDS);
        assertEquals(100, child.pollOutput()); // 150 bytes in the file: rotated to .1, on a rotator's thread
        io.smartrunner.testkit.Await.until("the rotation aside is done", java.time.Duration.ofSeconds(30),
                () -> child.stderrTail(1000).length() == 100); // a read waits for a rotation under way

        Files.writeString(files.stderr(), "tail", StandardCharsets.UTF_8);

        assertEquals("hijtail", child.stderrTail(7));
        assertEquals("abcdefghij".repeat(10) + "tail", child.stderrTail(1000));
        assertEquals(104, child.pollOutput());
    }

    @Test
    void logAlreadyPastItsCapIsRotatedBeforeLaunch() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir.resolve("new/logs"), "p1", 10, 2);
        Files.createDirectories(files.stdout().getParent());
        Files.writeString(files.stdout(), "older than the cap");
        Files.writeString(LogRotation.numbered(files.stdout(), 1), "previous rotation");

        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(), List.of("echo", "hi"),
                Map.of(), null, files));
        child.onExit().get(10, TimeUnit.SECONDS);

        assertEquals("hi\n", Files.readString(files.stdout()));
        assertEquals("an the cap", Files.readString(LogRotation.numbered(files.stdout(), 1)),
                "a rotated file keeps the newest bytes up to the cap");
        assertEquals("older th", Files.readString(LogRotation.numbered(files.stdout(), 2)),
                "the bytes before them, not dropped (the previous rotation is, past the 2 kept)");
        assertEquals(3, child.pollOutput());
    }
}
