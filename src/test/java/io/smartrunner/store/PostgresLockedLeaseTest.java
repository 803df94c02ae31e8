package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A control of a profile whose lease row another transaction keeps locked (a runner frozen inside
 * its write, session 41's flaky e2e) is handed to the holder, within the store's wait, instead of
 * failing as "cannot be recorded: timed out"; nothing is written meanwhile, and once the lock is
 * gone the same change is written.
 */
class PostgresLockedLeaseTest {
    private static final long TTL = 15_000;
    private final PostgresServer server = PostgresServer.shared();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLockedLeaseRowIsTakenForHeldAndNothingIsWritten() throws Exception {
        String url = server.newDatabase("locked_lease");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-c:/cli", 10, 1_000)) {
            store.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of()));
            server.execute(db, "INSERT INTO leases (profile_id) VALUES ('p1') ON CONFLICT DO NOTHING");
            try (Connection frozen = server.connect(db); Statement st = frozen.createStatement()) {
                frozen.setAutoCommit(false);
                st.execute("SELECT * FROM leases WHERE profile_id = 'p1' FOR SHARE"); // and then nothing: frozen

                Optional<String> held = store.changeUnlessHeld("p1", TTL, "cli@gamma", PostgresLockedLeaseTest::paused);

                assertEquals(Optional.of("another writer"), held);
                assertFalse(store.loadProfiles().get("p1").paused(), "nothing written while it was locked");
                frozen.rollback();
            }
            assertEquals(Optional.empty(), store.changeUnlessHeld("p1", TTL, "cli@gamma", PostgresLockedLeaseTest::paused));
            assertEquals(true, store.loadProfiles().get("p1").paused());
        }
    }

    private static ProfileChange paused(ProfileState row) {
        return new ProfileChange(new ProfileState("p1", "podA", 0, false, false, true,
                java.time.Instant.parse("2030-01-01T00:00:00Z"), null, null, null, null, 1, null), List.of());
    }
}
