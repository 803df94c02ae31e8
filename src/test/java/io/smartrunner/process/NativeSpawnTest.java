package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's own spawn, libsr-spawn.so, called directly (the launcher's contract runs through it in PosixSpawnLauncherTest). */
class NativeSpawnTest {
    @TempDir
    Path dir;

    @Test
    void theBuildPutTheLibraryBesideTheClassesAndItWorksHere() {
        assertTrue(NativeSpawn.available(), "target/libsr-spawn.so (bin/build-spawn-lib, gcc)");
        assertTrue(Files.isRegularFile(CgroupJoin.besideCode(NativeSpawn.LIBRARY)), "beside the classes");
        assertFalse(CgroupJoin.othersMayWrite(CgroupJoin.besideCode(NativeSpawn.LIBRARY)), "only its owner may change it");
    }

    @Test
    void aChildGetsItsFilesDirectorySessionAndNothingElseOfTheRunners() throws Exception {
        Path out = dir.resolve("out.log");
        Path err = dir.resolve("err.log");
        NativeSpawn.Child c = NativeSpawn.spawn("sh", "/bin/sh", List.of("sh", "-c",
                "ls /proc/self/fd; pwd; echo X=$X; ps -o sid= -o pgid= -p $$; echo oops >&2; exit 3"), List.of("X=1",
                "PATH=/usr/bin:/bin"), out.toString(), err.toString(), dir.toString(), 0600, -1, () -> { });
        assertEquals(3, exitCode(c));
        List<String> lines = Files.readAllLines(out);
        // ls opens the directory it lists: fd 3 is its own
        assertEquals(List.of("0", "1", "2", "3"), lines.subList(0, 4), "stdin, stdout, stderr only: " + lines);
        assertEquals(dir.toRealPath().toString(), lines.get(4));
        assertEquals("X=1", lines.get(5));
        assertEquals(c.pid() + " " + c.pid(), lines.get(6).trim().replaceAll(" +", " "), "a session and group of its own");
        assertEquals("oops\n", Files.readString(err));
        assertTrue(c.startTicks() == -1 || c.startTicks() > 0);
    }

    @Test
    void aStepThatFailsFailsTheSpawnWithItsErrnoAndLeavesNoChild() {
        SpawnException missing = assertThrows(SpawnException.class, () -> NativeSpawn.spawn("nope", "/nonexistent/nope",
                List.of("nope"), List.of(), "/dev/null", "/dev/null", "/", 0600, -1, () -> { }));
        assertTrue(missing.getMessage().contains("No such file or directory"), missing.getMessage());
        SpawnException noDir = assertThrows(SpawnException.class, () -> NativeSpawn.spawn("true", "/bin/true",
                List.of("true"), List.of(), "/dev/null", "/dev/null", dir.resolve("gone").toString(), 0600, -1, () -> { }));
        assertTrue(noDir.getMessage().contains("No such file or directory"), noDir.getMessage());
    }

    @Test
    void aScriptWithoutAShebangLineRunsAsAShellScript() throws Exception {
        Path script = dir.resolve("script");
        Files.writeString(script, "echo ran \"$0\" \"$1\"\n");
        script.toFile().setExecutable(true);
        Path out = dir.resolve("out.log");
        NativeSpawn.Child c = NativeSpawn.spawn("script", script.toString(), List.of("script", "arg"), List.of(),
                out.toString(), "/dev/null", "/", 0600, -1, () -> { });
        assertEquals(0, exitCode(c));
        assertEquals("ran " + script + " arg\n", Files.readString(out));
    }

    /** The guard against a kernel that kills what is cloned into a cgroup killed before (SessionCgroup#cloneable). */
    @Test
    void aCgroupClonedIntoHoldsTheChildAndOneThatWasKilledIsNotClonedIntoAgain() throws Exception {
        Path root = CgroupV2Location.own().resolve("smart-runner-test-" + UUID.randomUUID());
        Files.createDirectory(root);
        try {
            assertTrue(NativeSpawn.clonesInto(root), "a fresh cgroup under this process's own");
            assertEquals(List.of(), listed(root), "the probe's cgroup is removed");
            SessionCgroup group = SessionCgroup.create(root.resolve("g"));
            assertTrue(group.cloneable(), "made just now");
            Process sleeper = new ProcessBuilder("sleep", "100").start();
            group.add(sleeper.pid());
            assertTrue(group.kill());
            sleeper.waitFor();
            assertFalse(group.cloneable(), "killed once: joined by writing cgroup.procs from now on");
            assertFalse(SessionCgroup.create(root.resolve("g")).cloneable(), "nor when found again by name");
            Children.await("emptied", group::emptied);
            assertTrue(group.remove());
        } finally {
            new SessionCgroup(root).remove();
        }
    }

    /** A cgroup killed by someone else (the runner cannot know): the spawn fails, says why, and tells the caller. */
    @Test
    void aChildKilledAsItIsClonedIntoACgroupKilledByAnotherFailsTheSpawnAndSaysSo() throws Exception {
        Path root = CgroupV2Location.own().resolve("smart-runner-test-" + UUID.randomUUID());
        Path group = root.resolve("g");
        Files.createDirectories(group);
        try {
            Process sleeper = new ProcessBuilder("sleep", "100").start();
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
            Files.writeString(group.resolve("cgroup.kill"), "1");
            sleeper.waitFor();
            Children.await("emptied", () -> new SessionCgroup(group).emptied());
            int fd = new SessionCgroup(group).openDirectory();
            assertTrue(fd >= 0);
            java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
            try {
                NativeSpawn.Child c = NativeSpawn.spawn("true", "/bin/true", List.of("true"), List.of(), "/dev/null",
                        "/dev/null", "/", 0600, fd, () -> told.set(true));
                assertFalse(told.get(), "a kernel without the hazard: the child ran");
                assertEquals(0, exitCode(c));
            } catch (SpawnException e) {
                assertTrue(told.get(), "the caller is told, to stop cloning into that cgroup");
                assertEquals("cannot start true: killed as it was cloned into its cgroup, which was killed before"
                        + " (the next launch gets another cgroup)", e.getMessage());
            } finally {
                ProcLibC.close(fd);
            }
        } finally {
            new SessionCgroup(group).remove();
            new SessionCgroup(root).remove();
        }
    }

    private static List<Path> listed(Path root) throws Exception {
        try (var dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).toList();
        }
    }

    private static int exitCode(NativeSpawn.Child c) {
        Memory info = new Memory(128);
        info.clear();
        assertEquals(0, ReaperLibC.waitid(LibC.P_PIDFD, c.pidfd(), info, LibC.WEXITED));
        ReaperLibC.close(c.pidfd());
        assertEquals(1, info.getInt(8), "exited (CLD_EXITED), not killed");
        return info.getInt(24);
    }
}
