package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Smart Runner connection frozen inside a transaction (its process stopped while it held a
 * lease row's lock) is ended by the server after {@link PostgresStateStore#IDLE_IN_TRANSACTION_MS},
 * so the runner taking the profile over can write it; before, the lock stayed until the frozen
 * process ran again or TCP gave up.
 */
class PostgresIdleTransactionTest {
    private final PostgresServer server = PostgresServer.shared();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aTransactionLeftOpenIsEndedByTheServerAndItsLocksFreed() throws Exception {
        String url = server.newDatabase("idle_tx");
        String db = url.substring(url.lastIndexOf('/') + 1);
        server.execute(db, "CREATE TABLE leases (profile_id TEXT PRIMARY KEY); INSERT INTO leases VALUES ('p1')");
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
        try (HikariDataSource pool = new HikariDataSource(PostgresStateStore.poolConfig(settings, 1_000, PostgresStateStore.READ_WAIT_SECONDS))) {
            frozenThenTaken(db, pool.getConnection()); // the pool's connections
        }
        frozenThenTaken(db, DirectConnection.open(settings, 5, 5, "test")); // the heartbeat's own
    }

    private void frozenThenTaken(String db, Connection frozen) throws Exception {
        frozen.setAutoCommit(false);
        try (Statement st = frozen.createStatement()) {
            st.execute("SELECT * FROM leases WHERE profile_id = 'p1' FOR UPDATE"); // and then nothing
        }
        try (Connection taker = server.connect(db); Statement st = taker.createStatement()) {
            st.execute("SET lock_timeout = 30000"); // far longer than the server's limit: waits until it acts
            try (ResultSet rs = st.executeQuery("SELECT profile_id FROM leases WHERE profile_id = 'p1' FOR UPDATE")) {
                assertTrue(rs.next(), "the taker got the row's lock, freed by the server (else: lock timeout, an error)");
            }
        }
        // the frozen one, running again, finds its session ended
        assertThrows(SQLException.class, () -> {
            try (Statement st = frozen.createStatement()) {
                st.execute("SELECT 1");
            }
        });
        try {
            frozen.close();
        } catch (SQLException alreadyGone) {
            // closed by the failure above
        }
    }
}
