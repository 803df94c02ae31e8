package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.MemberRow;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The heartbeat's behaviour when the database fails: said once per episode, prompt retries, a readiness problem, recovery. */
class MembershipTest {
    private final PostgresServer server = PostgresServer.shared();

    private static RunnerSettings runner(String name) {
        RunnerSettings d = RunnerSettings.defaults();
        return new RunnerSettings(5, Path.of("data"), d.eventLog(), d.eventLogFsync(), d.eventLogFsyncIntervalMs(),
                d.startJitterMs(), d.sqliteSynchronous(), d.fileMode(), d.eventLogMaxBytes(), d.eventLogKeep(),
                d.minFreeMemoryMb(), d.maxLoadPerCore(), name, List.of("eu"));
    }

    @Test
    void aFailingHeartbeatIsSaidOncePerEpisodeBacksOffAndIsAProblemUntilItWorksAgain() {
        String url = server.newDatabase("membership_fail");
        String db = url.substring(url.lastIndexOf('/') + 1);
        List<String> said = new ArrayList<>();
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a")) {
            Membership m = Membership.join(store.members(), runner("alpha"), "host-a", 42, said::add);
            m.sessionsFrom(() -> 3); // beats driven by the test, not the timer
            assertEquals(Membership.HEARTBEAT_MS, m.beatOnce());
            assertNull(m.problem());

            // every statement on the table fails at once, as when the database is gone
            server.execute(db, "ALTER TABLE runners RENAME TO runners_away");
            List<Long> delays = List.of(m.beatOnce(), m.beatOnce(), m.beatOnce(), m.beatOnce());
            assertEquals(List.of(1_000L, 1_000L, 1_000L, 1_000L), delays, "retried every half period, at most 1 s");
            assertEquals(1, said.stream().filter(s -> s.startsWith("heartbeat failed")).count(), said.toString());
            assertTrue(m.problem().startsWith("cluster heartbeat failing (4 attempt(s)): PostgreSQL at 127.0.0.1:"),
                    m.problem());

            server.execute(db, "ALTER TABLE runners_away RENAME TO runners");
            assertEquals(Membership.HEARTBEAT_MS, m.beatOnce());
            assertNull(m.problem());
            assertTrue(said.get(said.size() - 1).endsWith("works again after 4 failed attempt(s)"), said.toString());
            MemberRow row = store.members().list(Membership.TTL_MS).get(0);
            assertEquals(MemberRow.ALIVE, row.state());
            assertEquals(3, row.sessions());
            assertEquals(5, row.capacity());

            m.close();
            assertEquals(MemberRow.STOPPED, store.members().list(Membership.TTL_MS).get(0).state());
            Map<String, Object> json = RunnersView.cluster(store.members());
            assertEquals(true, json.get("membership"));
        }
    }

    /**
     * Regression: after a 6.5 s outage heartbeats landed only 4.5-8 s after the database was back
     * (a retry backoff of 4 s, and the pool refilling itself with a backoff of up to 5 s), and every
     * runner fenced itself. The first heartbeat tried once the database answers lands.
     */
    @Test
    void theFirstHeartbeatAfterADatabaseRestartLands() throws Exception {
        PostgresServer own = PostgresServer.start(true);
        try {
            String url = own.newDatabase("membership_restart");
            List<String> said = new ArrayList<>();
            try (PostgresStateStore store = PostgresStateStore.open(
                    StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a")) {
                Membership m = Membership.join(store.members(), runner("alpha"), "host-a", 42, said::add);
                m.sessionsFrom(() -> 1);
                assertEquals(Membership.HEARTBEAT_MS, m.beatOnce());

                own.stopKeepingData();
                for (int i = 0; i < 6; i++) {
                    assertTrue(m.beatOnce() <= 1_000, "a failed heartbeat is tried again within a second");
                    assertTrue(m.problem().startsWith("cluster heartbeat failing"), m.problem());
                }
                own.startAgain();

                assertEquals(Membership.HEARTBEAT_MS, m.beatOnce(), "landed: " + m.problem());
                assertNull(m.problem());
                try (java.sql.Connection c = own.connect(url.substring(url.lastIndexOf('/') + 1));
                     java.sql.ResultSet rs = c.createStatement().executeQuery(
                             "SELECT now() - heartbeat_at < interval '5 seconds' FROM runners")) {
                    assertTrue(rs.next() && rs.getBoolean(1), "its row has the new heartbeat");
                }
                m.close();
            }
        } finally {
            own.stop();
        }
    }
}
