package io.smartrunner.store;

import static io.smartrunner.store.StateStoreContractTest.fullProfile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.SmallTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's checkpoint on a real full filesystem (a small tmpfs; needs root, as in CI). */
class SqliteCheckpointFullDiskTest {
    @TempDir
    Path dir;
    private SmallTmpfs full;

    @BeforeEach
    void mountTmpfs() throws Exception {
        full = SmallTmpfs.mount(dir.resolve("full"), 8);
    }

    @AfterEach
    void unmount() throws Exception {
        full.close();
    }

    @Test
    void aCheckpointThatFailsOnAFullDiskIsSaidOnceAndWorksOnceThereIsRoom() throws Exception {
        List<String> said = new CopyOnWriteArrayList<>();
        Path db = full.dir().resolve("state.db");
        // the store's thread never comes due here: the test checkpoints itself
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL,
                SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS, 1000, 3_600_000, said::add)) {
            List<ProfileState> many = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                many.add(fullProfile("p" + i));
            }
            store.write(new StateWrite(many, List.of())); // in the WAL; the file itself has no room for it
            Path filler = full.fill();

            store.checkpointNow();
            store.checkpointNow();
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).startsWith(db + ": checkpoint failed: disk full"), said.get(0));
            assertTrue(said.get(0).endsWith("the writes stay in the WAL, tried again after the next write"), said.get(0));
            assertEquals(3000, store.loadProfiles().size(), "nothing written is lost");

            Files.delete(filler);
            store.checkpointNow();
            assertEquals(2, said.size(), said.toString());
            assertTrue(said.get(1).startsWith(db + ": checkpoint works again"), said.get(1));
        }
        try (SqliteStateStore reopened = SqliteStateStore.openReadOnly(db)) {
            assertEquals(3000, reopened.loadProfiles().size());
        }
    }
}
