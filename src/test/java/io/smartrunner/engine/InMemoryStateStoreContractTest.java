package io.smartrunner.engine;

import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateStoreContractTest;
import java.nio.file.Path;

/** The engine tests' in-memory store keeps the same contract as the SQLite store. */
class InMemoryStateStoreContractTest extends StateStoreContractTest {
    @Override
    protected StateStore newStore(Path dir) {
        return InMemoryStateStore.open(dir);
    }
}
