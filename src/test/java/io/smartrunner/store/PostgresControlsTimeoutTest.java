package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** A statement on the controls table that waits for a lock fails after its timeout, said, instead of hanging. */
class PostgresControlsTimeoutTest {
    private final PostgresServer server = PostgresServer.shared();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // without the query timeout: hangs, fails here
    void aReadBlockedByALockOnTheTableFailsAfterTheTimeoutAndWorksOnceTheLockIsGone() throws Exception {
        String url = server.newDatabase("controls_timeout");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a")) {
            store.controls().request("p1", "reset", Map.of(), "api@beta"); // the schema is there
        }
        PGSimpleDataSource pool = new PGSimpleDataSource();
        pool.setURL(url);
        pool.setUser(PostgresServer.USER);
        pool.setPassword(PostgresServer.PASSWORD);
        PostgresControls controls = new PostgresControls(pool, "postgres " + db, 1);

        try (Connection admin = server.connect(db); Statement st = admin.createStatement()) {
            admin.setAutoCommit(false);
            st.execute("LOCK TABLE controls IN ACCESS EXCLUSIVE MODE"); // an administrator's maintenance

            StoreException e = assertThrows(StoreException.class, () -> controls.pending(0));
            assertTrue(e.getMessage().contains("postgres " + db), e.getMessage());
            assertTrue(e.getMessage().contains("cancel"), "the timeout's cancel says why: " + e.getMessage());
            admin.rollback();
        }
        List<PostgresControls.Control> pending = controls.pending(0);
        assertEquals(1, pending.size(), "the lock gone, the read works");
    }
}
