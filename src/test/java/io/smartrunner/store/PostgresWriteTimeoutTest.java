package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A write whose answer does not come within the store's wait fails as "timed out", the reason
 * (reviewer R2, session 40: a frozen database during import-state ended "Connection is closed",
 * the transaction's clean-up on the connection the timeout had closed, which hid the timeout).
 */
class PostgresWriteTimeoutTest {
    private final PostgresServer server = PostgresServer.shared();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWriteNobodyAnswersSaysItTimedOutAndTheNextWorks() throws Exception {
        String url = server.newDatabase("write_timeout");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a", 10, 1_000)) {
            store.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of()));
            try (Connection admin = server.connect(db); Statement st = admin.createStatement()) {
                admin.setAutoCommit(false);
                st.execute("LOCK TABLE profiles IN ACCESS EXCLUSIVE MODE"); // the server holds the write: no answer

                StoreException e = assertThrows(StoreException.class,
                        () -> store.write(new StateWrite(List.of(ProfileState.fresh("p2", "podA")), List.of())));

                assertTrue(e.getMessage().startsWith("PostgreSQL at "), e.getMessage());
                assertTrue(e.getMessage().contains("timed out"), e.getMessage());
                assertFalse(e.getMessage().contains("Connection is closed"), e.getMessage());
                admin.rollback();
            }
            store.write(new StateWrite(List.of(ProfileState.fresh("p3", "podA")), List.of()));
            assertEquals(java.util.Set.of("p1", "p3"), store.loadProfiles().keySet(), "nothing of the timed-out write");
        }
    }
}
