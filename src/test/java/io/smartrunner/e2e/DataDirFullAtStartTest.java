package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.SmallTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with its data dir on a full disk said {@code small/data/state.db: database error
 * (Error opening connection)}: SQLite's native library, unpacked into the data dir, did not fit,
 * and nothing said the disk was full.
 */
@Tag("e2e")
class DataDirFullAtStartTest {
    @TempDir
    Path dir;

    @Test
    void runOnAFullDataDirSaysTheDiskIsFullInOneLine() throws Exception {
        try (SmallTmpfs small = SmallTmpfs.mount(dir.resolve("small"), 1)) {
            Path data = Files.createDirectories(small.dir().resolve("data"));
            Path cfg = Files.writeString(dir.resolve("f.json"), """
                    {"runner": {"dataDir": "%s", "eventLog": "%s", "startJitterMs": 0},
                     "http": {"port": 0}, "browser": {"provider": "none"},
                     "session": {"command": ["/bin/true"]},
                     "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}"""
                    .formatted(data, dir.resolve("logs/events.jsonl")));
            CliProcess.Result before = CliProcess.run(dir, "reset", "p1", "-c", cfg.toString()); // a store, a lock file
            assertEquals(0, before.exitCode(), before.err());
            small.fill();

            CliProcess.Result run = CliProcess.run(dir, "run", "-c", cfg.toString());

            assertNotEquals(0, run.exitCode(), run.err());
            assertEquals(1, run.err().strip().lines().count(), "one line, no stack trace: " + run.err());
            assertTrue(run.err().contains(data.toString()) && run.err().contains("No space left on device"), run.err());
        }
    }
}
