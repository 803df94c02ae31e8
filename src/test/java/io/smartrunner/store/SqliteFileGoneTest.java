package io.smartrunner.store;

import static io.smartrunner.store.StateStoreContractTest.fullProfile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code state.db} deleted or replaced under a running runner: SQLite goes on writing the file it
 * has open, which nobody will find again. The store says so, once, at its next checkpoint.
 */
class SqliteFileGoneTest {
    @TempDir
    Path dir;

    @Test
    void aDatabaseFileDeletedWhileInUseIsSaidOnce() throws Exception {
        List<String> said = new CopyOnWriteArrayList<>();
        Path db = dir.resolve("state.db");
        try (SqliteStateStore store = open(db, said)) {
            store.write(new StateWrite(List.of(fullProfile("p1")), List.of()));
            store.checkpointNow();
            assertEquals(List.of(), said, "the file in place: nothing to say");

            Files.delete(db);
            store.write(new StateWrite(List.of(fullProfile("p2")), List.of()));
            store.checkpointNow();
            store.checkpointNow();

            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).startsWith(db + ": the database file was deleted while the runner uses it;"),
                    said.get(0));
            assertTrue(said.get(0).contains("the next start rebuilds the state from the event log"), said.get(0));
            assertEquals(2, store.loadProfiles().size(), "the runner goes on with the file it opened");
        }
    }

    @Test
    void aDatabaseFileReplacedWhileInUseIsSaidSo() throws Exception {
        List<String> said = new CopyOnWriteArrayList<>();
        Path db = dir.resolve("state.db");
        try (SqliteStateStore store = open(db, said)) {
            store.write(new StateWrite(List.of(fullProfile("p1")), List.of()));
            Files.move(db, dir.resolve("state.db.old"));
            Files.writeString(db, "");
            store.checkpointNow();

            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).startsWith(db + ": the database file was replaced by another file"), said.get(0));
        }
    }

    /** A store whose own checkpoint thread never comes due here: the tests checkpoint themselves. */
    private static SqliteStateStore open(Path db, List<String> said) {
        return SqliteStateStore.open(db, SqliteSynchronous.NORMAL, SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS, 1000,
                3_600_000, said::add);
    }
}
