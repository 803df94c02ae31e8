package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.SmallTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer R13: {@code status} on a data dir whose file system is read-only (a backup, a disk
 * remounted after an error) said only "cannot open (unable to open database file)". It names the
 * cause now: SQLite writes beside {@code state.db} even to read it. (A real read-only mount, root only.)
 */
class ReadOnlyDataDirTest {
    @TempDir
    Path dir;

    @Test
    void statusOnAReadOnlyFileSystemSaysSo() throws Exception {
        try (SmallTmpfs fs = SmallTmpfs.mount(dir.resolve("ro"), 4)) {
            Path cfg = Files.writeString(dir.resolve("runner.json"), """
                    {"runner": {"dataDir": "ro/data", "eventLog": "ro/logs/events.jsonl"},
                     "browser": {"provider": "none"},
                     "session": {"command": ["/bin/true"]},
                     "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                    """);
            CliProcess.Result paused = CliProcess.run(dir, "pause", "p1", "--for", "1h", "-c", cfg.toString());
            assertEquals(0, paused.exitCode(), paused.err());
            Process remount = new ProcessBuilder("mount", "-o", "remount,ro", fs.dir().toString())
                    .redirectErrorStream(true).start();
            assertEquals(0, remount.waitFor(), new String(remount.getInputStream().readAllBytes()));

            CliProcess.Result status = CliProcess.run(dir, "status", "-c", cfg.toString());

            assertEquals(1, status.exitCode(), status.out() + status.err());
            assertTrue(status.err().strip().endsWith("its file system is read-only (SQLite writes beside the file even"
                    + " to read it: copy the data dir to a writable place to look at it)"), status.err());
            assertEquals(1, status.err().strip().lines().count(), status.err());
        }
    }
}
