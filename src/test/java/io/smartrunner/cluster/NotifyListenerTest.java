package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** LISTEN on its own connection: notifications arrive; a lost connection is said once and comes back by itself. */
class NotifyListenerTest {
    private final PostgresServer server = PostgresServer.shared();

    @Test
    void aKilledListenConnectionIsReconnectedAndEveryChannelToldToReRead() {
        String url = server.newDatabase("notify_listener");
        String db = url.substring(url.lastIndexOf('/') + 1);
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> said = new CopyOnWriteArrayList<>();
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 1);
        try (NotifyListener listener = new NotifyListener(settings, List.of("sr_a", "sr_b"),
                (channel, payload) -> got.add(channel + "=" + payload), said::add).start()) {
            Await.until("told at connect", Duration.ofSeconds(20), () -> got.size() == 2);
            assertEquals(List.of("sr_a=null", "sr_b=null"), got);
            server.execute(db, "NOTIFY sr_b, '42'");
            Await.until("a notification", Duration.ofSeconds(20), () -> got.contains("sr_b=42"));

            // the server ends the LISTEN connection (failover, restart, idle killer)
            server.execute(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'smart-runner-listen'");
            Await.until("reconnected and told again", Duration.ofSeconds(30),
                    () -> got.stream().filter(g -> g.equals("sr_a=null")).count() == 2);
            server.execute(db, "NOTIFY sr_a, '43'");
            Await.until("notifications after the reconnect", Duration.ofSeconds(20), () -> got.contains("sr_a=43"));
            assertEquals(1, said.stream().filter(s -> s.contains("failed, reconnecting with backoff")).count(),
                    said.toString());
        }
    }

    @Test
    void aListenConnectionThatStopsAnsweringWithoutClosingIsFoundByTheProbeAndReplaced() throws Exception {
        String url = server.newDatabase("notify_listener_frozen");
        String db = url.substring(url.lastIndexOf('/') + 1);
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> said = new CopyOnWriteArrayList<>();
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 1);
        try (NotifyListener listener = new NotifyListener(settings, List.of("sr_a"),
                (channel, payload) -> got.add(channel + "=" + payload), said::add).start()) {
            Await.until("told at connect", Duration.ofSeconds(20), () -> got.size() == 1);
            long frozen = listenBackend(db);
            // the backend stops answering but its socket stays open: no FIN, no RST, as in a partition
            signal("-STOP", frozen);
            try {
                server.execute(db, "NOTIFY sr_a, '1'"); // never delivered by the frozen backend
                Await.until("the silence found and said", Duration.ofSeconds(40),
                        () -> said.stream().anyMatch(s -> s.contains("failed, reconnecting with backoff")));
                Await.until("reconnected and told to re-read", Duration.ofSeconds(40),
                        () -> got.stream().filter(g -> g.equals("sr_a=null")).count() == 2);
                server.execute(db, "NOTIFY sr_a, '2'");
                Await.until("notifications through the new connection", Duration.ofSeconds(20),
                        () -> got.contains("sr_a=2"));
            } finally {
                signal("-CONT", frozen);
                server.execute(db, "SELECT pg_terminate_backend(" + frozen + ")");
            }
        }
    }

    private long listenBackend(String db) throws Exception {
        try (java.sql.Connection c = server.connect(db); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity"
                     + " WHERE application_name = 'smart-runner-listen' AND datname = current_database()")) {
            if (!rs.next()) {
                throw new AssertionError("no LISTEN backend");
            }
            return rs.getLong(1);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill " + signal + " " + pid);
    }
}
