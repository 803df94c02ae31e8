package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue #9, point 9): under cgroup containment a shell joins the cgroup, then execs
 * the program; a program that lost its exec bit after the launch's own check made the shell exit
 * 126, which counted against the profile as a session failure instead of a spawn failure.
 */
class SpawnCheckExecFailureTest {
    @TempDir
    Path dir;

    private Path worker(String mode) throws Exception {
        Path worker = dir.resolve("worker.sh");
        Files.writeString(worker, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString(mode));
        return worker;
    }

    @Test
    void exit126OfAProgramThatCannotBeExecutedNowIsASpawnFailure() throws Exception {
        Path worker = worker("rw-------");

        ExitStatus st = SpawnCheck.execFailure(ExitStatus.exited(126), worker.toString(), dir, "/usr/bin:/bin");

        assertTrue(st.spawnError() != null && st.spawnError().contains("Permission denied"), String.valueOf(st));
        assertEquals(126, st.exitCode());
    }

    @Test
    void exit127OfAProgramThatIsGoneIsASpawnFailure() {
        ExitStatus st = SpawnCheck.execFailure(ExitStatus.exited(127), dir.resolve("gone").toString(), dir, "/bin");

        assertTrue(st.spawnError() != null, String.valueOf(st));
    }

    @Test
    void theProgramsOwnExit126StaysAnExitWhenItCanBeExecuted() throws Exception {
        Path worker = worker("rwx------");

        ExitStatus st = SpawnCheck.execFailure(ExitStatus.exited(126), worker.toString(), dir, "/usr/bin:/bin");

        assertNull(st.spawnError());
        assertEquals(ExitStatus.exited(126), st);
    }

    @Test
    void otherExitsAndSignalsAreLeftAlone() throws Exception {
        Path worker = worker("rw-------");

        assertEquals(ExitStatus.exited(1), SpawnCheck.execFailure(ExitStatus.exited(1), worker.toString(), dir, "/bin"));
        ExitStatus killed = new ExitStatus(137, "SIGKILL", null);
        assertEquals(killed, SpawnCheck.execFailure(killed, worker.toString(), dir, "/bin"));
    }
}
