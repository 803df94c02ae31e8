package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A read whose answer does not come within the read wait fails as "timed out" instead of waiting
 * for TCP to give up (hours for a frozen server): {@code events --follow}, {@code status} and the
 * fleet's {@code /api/events} read this way. The server is made to hold the answer by a lock.
 */
class PostgresReadTimeoutTest {
    private final PostgresServer server = PostgresServer.shared();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aReadNobodyAnswersSaysItTimedOutAndTheNextWorks() throws Exception {
        String url = server.newDatabase("read_timeout");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a", 10,
                1_000, SchemaUpgrade.by(line -> { }), 2)) {
            PostgresEvents events = store.events();
            EventFilter all = new EventFilter(null, null, null);
            try (Connection admin = server.connect(db); Statement st = admin.createStatement()) {
                admin.setAutoCommit(false);
                st.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"); // the server holds every read of it

                StoreException e = assertThrows(StoreException.class, () -> events.pageBefore(Long.MAX_VALUE, 10, all));

                assertTrue(e.getMessage().startsWith("PostgreSQL at "), e.getMessage());
                assertTrue(e.getMessage().contains("timed out"), e.getMessage());
                admin.rollback();
            }
            assertEquals(0, events.pageBefore(Long.MAX_VALUE, 10, all).events().size(), "the next read is answered");
        }
    }

    @Test
    void everyPooledConnectionWaitsForAnAnswerAtMostTheReadWait() {
        StoreSettings settings = StoreSettings.postgres("jdbc:postgresql://127.0.0.1:1/x", "u", "p", 2);
        assertEquals(String.valueOf(PostgresStateStore.READ_WAIT_SECONDS),
                PostgresStateStore.poolConfig(settings, 1_000, PostgresStateStore.READ_WAIT_SECONDS)
                        .getDataSourceProperties().getProperty("socketTimeout"));
    }
}
