package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runner without the launcher's start-up cache has sqlite-jdbc copy its native library: into
 * the data dir, where the next start deletes what a SIGKILL left (in /tmp it stayed for good).
 */
@Tag("e2e")
class SqliteCopyAfterKillTest {
    @TempDir
    Path dir;

    private List<String> copies() throws Exception {
        try (var files = Files.list(dir.resolve("data/sqlite-native"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".so")).sorted().toList();
        }
    }

    @Test
    void theCopyASigkilledRunnerLeftIsDeletedByTheNextStart() throws Exception {
        Path cfg = dir.resolve("runner.json");
        Files.writeString(cfg, """
                {"runner": {"dataDir": "data", "eventLog": "logs/events.jsonl", "startJitterMs": 0},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sleep", "60"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """);
        CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
        List<String> killedRunsCopy;
        try {
            first.httpPort();
            killedRunsCopy = copies();
            assertEquals(1, killedRunsCopy.size(), "one copy, in the data dir: " + killedRunsCopy);
        } finally {
            first.process.destroyForcibly(); // SIGKILL: sqlite-jdbc's delete-on-exit does not run
            first.process.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(killedRunsCopy, copies(), "the killed run's copy is still there");

        CliProcess second = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            second.httpPort();
            List<String> now = copies();
            assertEquals(1, now.size(), now.toString());
            assertTrue(!now.contains(killedRunsCopy.get(0)), "the stale copy was deleted: " + now);
        } finally {
            second.process.destroy();
            assertTrue(second.process.waitFor(30, TimeUnit.SECONDS), second.err());
        }
        assertEquals(List.of(), copies(), "a clean stop deletes its own copy");
    }
}
