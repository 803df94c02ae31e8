package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code lease_epochs} keeps each profile's last epochs, not a row per acquisition for ever. */
class PostgresLeaseEpochsTest {
    private static final long TTL = 15_000;
    private final PostgresServer server = PostgresServer.shared();

    @Test
    void eachProfileKeepsItsNewestEpochsOnly() throws Exception {
        String url = server.newDatabase("lease_epochs");
        String db = url.substring(url.lastIndexOf('/') + 1);
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
        try (PostgresStateStore alpha = PostgresStateStore.open(settings, "host-a:/srv/a")) {
            long a = alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), TTL).incarnation();
            alpha.leases().ensure(List.of("p1", "p2"));
            assertEquals(1, alpha.leases().acquire(a, List.of("p2"), 1, TTL).size());
            for (int i = 0; i < 40; i++) {
                assertEquals(1, alpha.leases().acquire(a, List.of("p1"), 1, TTL).size());
                assertEquals(1, alpha.leases().release(a, List.of("p1")));
            }
        }
        try (Connection c = server.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT profile_id, count(*), min(epoch), max(epoch) FROM lease_epochs"
                     + " GROUP BY profile_id ORDER BY profile_id")) {
            rs.next();
            assertEquals("p1", rs.getString(1));
            assertEquals(PostgresLeases.EPOCHS_KEPT, rs.getInt(2), "40 acquisitions, the newest kept");
            assertEquals(40 - PostgresLeases.EPOCHS_KEPT + 1, rs.getLong(3));
            assertEquals(40, rs.getLong(4));
            rs.next();
            assertEquals("p2", rs.getString(1));
            assertEquals(1, rs.getInt(2), "another profile's epochs are its own");
        }
    }
}
