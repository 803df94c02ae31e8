package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.smartrunner.process.Children.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher contract again, for the runner's own spawn (libsr-spawn.so, {@link NativeSpawn}) +
 * pidfd reaping, plus what only this launcher can tell; {@link GlibcPosixSpawnLauncherTest} runs
 * it all through glibc's posix_spawn.
 */
class PosixSpawnLauncherTest extends OsProcessLauncherTest {
    @Override
    ProcessLauncher newLauncher() {
        assertTrue(PosixSpawnLauncher.available(), "posix_spawn launcher on this Linux x86_64 machine");
        assertTrue(NativeSpawn.available(), "the build put libsr-spawn.so next to the classes (gcc missing?"
                + " bin/setup --for-tests installs it)");
        return new PosixSpawnLauncher();
    }

    /** posix_spawn reports a failed exec to the caller at once. */
    @Override
    void assertExecFailure(Path script, String message) {
        SpawnException e = assertThrows(SpawnException.class,
                () -> launcher.launch(spec(children.newSession(), dir, script.toString())));
        assertEquals(message, e.getMessage());
    }

    @Test
    void explicitExitCodeAbove128IsNotMistakenForASignal() throws Exception {
        ExitStatus status = launcher.launch(spec(children.newSession(), dir, "/bin/sh", "-c", "exit 137"))
                .onExit().get(10, TimeUnit.SECONDS);

        assertEquals(new ExitStatus(137, null, null), status);
    }

    @Test
    void childStartsWithDefaultSignalDispositionsAndAnEmptyMask() throws Exception {
        RunningProcess child = launcher.launch(new LaunchSpec(children.newSession(),
                List.of("/bin/sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"), Map.of(), dir,
                OutputFiles.forProfile(dir, "sig", 0, 0)));

        assertEquals(0, child.onExit().get(10, TimeUnit.SECONDS).exitCode());
        String status = java.nio.file.Files.readString(dir.resolve("sig.stdout.log"));
        assertTrue(status.contains("SigBlk:\t0000000000000000"), status);
    }

    /** Read off the boot clock around the spawn (no /proc read), it must be the very value /proc shows: it names the process. */
    @Test
    void aChildsStartTimeIsTheOneProcShows() throws Exception {
        List<RunningProcess> all = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                RunningProcess p = launcher.launch(spec(children.newSession(), dir, "/bin/sleep", "1000"));
                all.add(p);
                assertEquals(ProcFs.stat(p.pid()).orElseThrow().startTicks(), p.startTicks(), "child " + p.pid());
            }
        } finally {
            for (RunningProcess p : all) {
                p.stop(java.time.Duration.ZERO).get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void manyChildrenAreReapedByOneThread() throws Exception {
        List<RunningProcess> all = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(launcher.launch(spec(children.newSession(), dir, "/bin/sh", "-c", "exit " + (i % 3))));
        }
        for (int i = 0; i < all.size(); i++) {
            assertEquals(ExitStatus.exited(i % 3), all.get(i).onExit().get(10, TimeUnit.SECONDS));
        }
    }
}
