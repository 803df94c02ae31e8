package io.smartrunner.cli;

import static io.smartrunner.cli.CliUsageTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SqliteStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control with no runner running opens the state store read-write: a lost store (zero bytes,
 * missing) must first be rebuilt from the event log as {@code run} would, or the control's one
 * row makes the store look whole and every other profile's pause is forgotten for good.
 */
class OfflineControlRebuildTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path cfg = dir.resolve("f.json");
        Files.writeString(cfg, """
                {"runner": {"dataDir": "%s", "eventLog": "%s"}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/true"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p0-0"}, {"id": "p1-1"}]}]}"""
                .formatted(dir.resolve("data"), dir.resolve("logs/events.jsonl")));
        return cfg;
    }

    /**
     * Reviewer R19: a control with no runner running upgraded an older release's store for good (the
     * older service could no longer start). It is refused, the store untouched, as status refuses it.
     */
    @Test
    void anOfflineControlDoesNotUpgradeAnOlderReleasesStore() throws Exception {
        Path cfg = config();
        assertEquals(0, cli("pause", "-c", cfg.toString(), "--for", "30d", "p1-1").code());
        Path db = dir.resolve("data/state.db");
        io.smartrunner.store.OlderSqliteSchemas.asVersion3(db);
        byte[] before = Files.readAllBytes(db);

        CliUsageTest.Run refused = cli("pause", "-c", cfg.toString(), "--for", "1h", "p0-0");

        assertEquals(1, refused.code(), refused.err());
        assertEquals("smart-runner: " + db + ": schema version 3 is older than this release's, and no runner is"
                + " running: written here, a control would upgrade the store for good and the older release could"
                + " no longer open it. Start this release's runner once to upgrade it (docs/operations.md), or use"
                + " the older release's CLI", refused.err().strip());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(db)), "the store untouched");
        assertTrue(Files.notExists(Path.of(db + ".schema-3")), "no upgrade began");
    }

    @Test
    void anOfflinePauseOnAZeroByteStoreRebuildsItFirstAndKeepsTheOtherPauses() throws Exception {
        Path cfg = config();
        CliUsageTest.Run first = cli("pause", "-c", cfg.toString(), "--for", "30d", "p1-1");
        assertEquals(0, first.code(), first.err());
        Path db = dir.resolve("data/state.db");
        Files.write(db, new byte[0]);
        Files.deleteIfExists(dir.resolve("data/state.db-wal"));
        Files.deleteIfExists(dir.resolve("data/state.db-shm"));

        CliUsageTest.Run second = cli("pause", "-c", cfg.toString(), "--for", "1h", "p0-0");

        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("state store empty (0 bytes) but the event log is not"), second.err());
        Map<String, ProfileState> rows;
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
            rows = store.loadProfiles();
        }
        assertTrue(rows.get("p1-1").paused(), "p1-1's month-long pause is kept: " + rows);
        assertTrue(rows.get("p0-0").paused(), "the control itself is applied: " + rows);
    }
}
