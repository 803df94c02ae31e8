package io.smartrunner.process;

import static io.smartrunner.process.Children.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher contract, run against the pure-JDK launcher; {@link PosixSpawnLauncherTest} reruns it. */
class OsProcessLauncherTest {
    final ProcessLauncher launcher = newLauncher();
    final Children children = new Children();
    @TempDir
    Path dir;

    ProcessLauncher newLauncher() {
        return new OsProcessLauncher();
    }

    @AfterEach
    void cleanUp() {
        children.killAll();
    }

    /**
     * The runner's event log and HTTP listening socket stand for every descriptor it has open (Java
     * opens both without O_CLOEXEC): a child must see none of them, only its stdin, stdout, stderr.
     */
    @Test
    void childStartsWithExactlyDescriptors012() throws Exception {
        try (var log = java.nio.channels.FileChannel.open(dir.resolve("events.jsonl"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
             var listening = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Map<Integer, String> mine = OpenDescriptors.ofSelf();
            assertTrue(mine.containsValue(dir.resolve("events.jsonl").toString()), "runner has the log open: " + mine);
            assertTrue(mine.size() > 3, "runner has more than 0, 1, 2 open: " + mine);

            RunningProcess child = launcher.launch(spec(children.newSession(), dir, "sleep", "1000"));
            // asleep, not merely exec'd: sleep opens its locale's files while it starts (seen as fd 3)
            Children.await("sleep exec'd and asleep", () -> commandLine(child.pid()).startsWith("sleep")
                    && sleeping(child.pid()));

            Map<Integer, String> fds = OpenDescriptors.of(child.pid());
            assertEquals(List.of(0, 1, 2), List.copyOf(fds.keySet()), "child's descriptors: " + fds);
            assertEquals("/dev/null", fds.get(0));
            child.stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
        }
    }

    /** In clock_nanosleep or nanosleep (x86_64's 230 or 35), from /proc/PID/syscall. */
    static boolean sleeping(long pid) {
        try {
            String call = Files.readString(Path.of("/proc", Long.toString(pid), "syscall"), StandardCharsets.US_ASCII);
            return call.startsWith("230 ") || call.startsWith("35 ");
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException gone) {
            return "";
        }
    }

    @Test
    void childIsLeaderOfItsOwnSessionAndProcessGroup() throws Exception {
        RunningProcess child = launcher.launch(spec(children.newSession(), dir, "sleep", "1000"));

        // setsid() runs in the child just after spawn
        Children.await("setsid in child", () -> ProcFs.stat(child.pid()).map(s -> s.session() == child.pid())
                .orElse(false));
        ProcStat stat = ProcFs.stat(child.pid()).orElseThrow();

        assertEquals(child.pid(), stat.pgrp());
        assertEquals(child.pid(), stat.session());
        assertEquals(child.pid(), child.pgid());
        assertEquals(stat.startTicks(), child.startTicks());
        child.stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachArgumentReachesTheChildLiterallyWithoutAShell() throws Exception {
        Path trap = Path.of("/tmp", "sr-injected-" + System.nanoTime());
        List<String> args = List.of("$(touch " + trap + ")", "; touch " + trap + "; rm -rf ~", "--flag=x",
                "two words", "'single' \"double\"", "`touch " + trap + "`", "ünïcødé ✓", "", "*");
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "for a in \"$@\"; do printf '%s\\0' \"$a\"; done", "sh"));
        argv.addAll(args);
        String session = children.newSession();

        RunningProcess child = launcher.launch(new LaunchSpec(session, argv, Map.of(), dir,
                OutputFiles.forProfile(dir, "p1", 0, 0)));

        assertEquals(ExitStatus.exited(0), child.onExit().get(10, TimeUnit.SECONDS));
        String out = Files.readString(dir.resolve("p1.stdout.log"), StandardCharsets.UTF_8);
        assertEquals(args, Arrays.asList(out.split("\0", -1)).subList(0, args.size()));
        assertFalse(Files.exists(trap), "a shell expanded an argument");
    }

    @Test
    void childGetsRunnerEnvironmentPlusSpecEnvironmentAndWorkingDir() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        String session = children.newSession();
        LaunchSpec spec = new LaunchSpec(session,
                List.of("/bin/sh", "-c", "printf '%s|%s|%s|%s' \"$SR_PROFILE_ID\" \"$SR_SESSION_ID\" \"$PWD\" \"$PATH\""),
                Map.of("SR_PROFILE_ID", "k12im9s2", "SR_SESSION_ID", session), work,
                OutputFiles.forProfile(dir.resolve("logs"), "p1", 0, 0));

        RunningProcess child = launcher.launch(spec);

        assertEquals(0, child.onExit().get(10, TimeUnit.SECONDS).exitCode());
        assertEquals("k12im9s2|" + session + "|" + work.toRealPath() + "|" + System.getenv("PATH"),
                Files.readString(dir.resolve("logs/p1.stdout.log")));
    }

    @Test
    void missingProgramIsASpawnErrorWithTheOsMessage() {
        SpawnException e = assertThrows(SpawnException.class,
                () -> launcher.launch(spec(children.newSession(), dir, "sr-no-such-program")));
        assertEquals("cannot start \"sr-no-such-program\": No such file or directory", e.getMessage());

        e = assertThrows(SpawnException.class,
                () -> launcher.launch(spec(children.newSession(), dir, "./missing")));
        assertEquals("cannot start \"./missing\": No such file or directory", e.getMessage());
    }

    @Test
    void nonExecutableFileIsPermissionDenied() throws Exception {
        Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));

        SpawnException e = assertThrows(SpawnException.class,
                () -> launcher.launch(spec(children.newSession(), dir, script.toString())));

        assertEquals("cannot start \"" + script + "\": Permission denied", e.getMessage());
    }

    @Test
    void directoryIsNotAProgram() {
        SpawnException e = assertThrows(SpawnException.class,
                () -> launcher.launch(spec(children.newSession(), dir, dir.toString())));

        assertEquals("cannot start \"" + dir + "\": Is a directory", e.getMessage());
    }

    @Test
    void badWorkingDirectoryIsASpawnError() {
        Path missing = dir.resolve("nope");
        LaunchSpec spec = new LaunchSpec(children.newSession(), List.of("true"), Map.of(), missing,
                OutputFiles.forProfile(dir, "p1", 0, 0));

        SpawnException e = assertThrows(SpawnException.class, () -> launcher.launch(spec));

        assertEquals("cannot start \"true\": working directory \"" + missing + "\": No such file or directory",
                e.getMessage());
    }

    @Test
    void execFailureOfAnExecutableFileIsASpawnError() throws Exception {
        // executable, so the pre-check passes, but its interpreter does not exist
        Path script = Files.writeString(dir.resolve("broken"), "#!/nonexistent/interpreter\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertExecFailure(script, "cannot start \"" + script + "\": No such file or directory");
    }

    /** setsid reports the failed exec in the child: exit 127 with the message as spawnError. */
    void assertExecFailure(Path script, String message) throws Exception {
        ExitStatus status = launcher.launch(spec(children.newSession(), dir, script.toString()))
                .onExit().get(10, TimeUnit.SECONDS);

        assertEquals(new ExitStatus(127, null, message), status);
    }

    @Test
    void exitCodeIsReportedAsIs() throws Exception {
        ExitStatus status = launcher.launch(spec(children.newSession(), dir, "/bin/sh", "-c", "exit 3"))
                .onExit().get(10, TimeUnit.SECONDS);

        assertEquals(new ExitStatus(3, null, null), status);
    }

    @Test
    void deathBySignalIsNamed() throws Exception {
        ExitStatus segv = launcher.launch(spec(children.newSession(), dir, "/bin/sh", "-c", "ulimit -c 0; kill -SEGV $$"))
                .onExit().get(10, TimeUnit.SECONDS);
        ExitStatus killed = launcher.launch(spec(children.newSession(), dir, "/bin/sh", "-c", "kill -KILL $$"))
                .onExit().get(10, TimeUnit.SECONDS);

        assertEquals(new ExitStatus(139, "SIGSEGV", null), segv);
        assertEquals(new ExitStatus(137, "SIGKILL", null), killed);
    }
}
