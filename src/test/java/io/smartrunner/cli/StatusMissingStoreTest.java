package io.smartrunner.cli;

import static io.smartrunner.cli.CliUsageTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} with no store file but decisions in the event log (the file deleted, maybe under a
 * running runner): every profile would show as new, a paused one too. It says why, on stderr, so
 * the {@code --json} array stays clean. Before any run (or from a directory where a relative dataDir
 * finds nothing) it says where it looked.
 */
class StatusMissingStoreTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"dataDir": "%s", "eventLog": "%s"}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/true"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}"""
                .formatted(dir.resolve("data"), dir.resolve("logs/events.jsonl")));
        return cfg;
    }

    @Test
    void aMissingStoreWithAnEventLogIsSaidOnStderr() throws Exception {
        Path cfg = config();
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/events.jsonl"), "{\"event\":\"pause\"}\n");

        CliUsageTest.Run r = cli("status", "--json", "-c", cfg.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains(dir.resolve("data/state.db") + ": no such file, but the event log "
                + dir.resolve("logs/events.jsonl") + " is not empty: every profile is shown as new"), r.err());
        assertTrue(r.out().strip().startsWith("[") && r.out().strip().endsWith("]"), "stdout is the JSON alone: " + r.out());
    }

    @Test
    void aZeroByteStoreIsShownAsAMissingOneIsWithTheTable() throws Exception {
        Path cfg = config();
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/events.jsonl"), "{\"event\":\"pause\"}\n");
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("data/state.db"), new byte[0]);

        CliUsageTest.Run r = cli("status", "-c", cfg.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("p1"), "the table is shown: " + r.out());
        assertTrue(r.err().contains(dir.resolve("data/state.db") + ": empty (0 bytes), but the event log "
                + dir.resolve("logs/events.jsonl") + " is not empty: every profile is shown as new"), r.err());
        assertEquals(0, Files.size(dir.resolve("data/state.db")), "status writes nothing");
    }

    @Test
    void beforeTheFirstRunItSaysWhereItFoundNoState() throws Exception {
        CliUsageTest.Run r = cli("status", "-c", config().toString());

        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("no such file"), r.err());
        assertTrue(r.err().contains("no state yet in " + dir.resolve("data") + " (no runner has run with this data dir;"),
                r.err());
        assertTrue(r.out().contains("p1"), r.out());
    }

    @Test
    void aDataDirOthersMayWriteIsRefusedBeforeAnyLineOfTheTable() throws Exception {
        Path cfg = config();
        Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(dir.resolve("data"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));

        CliUsageTest.Run r = cli("status", "-c", cfg.toString());

        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out(), "nothing read from it is shown");
        assertTrue(r.err().contains("runner.dataDir: " + dir.resolve("data") + " may be written by group or others"), r.err());
    }
}
