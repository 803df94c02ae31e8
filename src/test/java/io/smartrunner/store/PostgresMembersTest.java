package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership against a real PostgreSQL: join, heartbeat on the database clock, unique names, takeover, leave. */
class PostgresMembersTest {
    private static final long TTL = 15_000;
    private final PostgresServer server = PostgresServer.shared();

    private static StoreSettings settings(String url) {
        return StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
    }

    private static PostgresMembers.Joiner joiner(String name, long pid) {
        return new PostgresMembers.Joiner(name, List.of("eu", "adspower"), "host-" + pid, pid, 8);
    }

    private static String database(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private Timestamp one(String url, String sql) throws SQLException {
        try (Connection c = server.connect(database(url)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getTimestamp(1);
        }
    }

    /** Reviewer R: runners that left for good stayed in the list for ever, with no way to remove them. */
    @Test
    void aRunnerThatLeftIsForgottenOnlyWhenNotAliveAndListedAgainWhenItJoins() {
        String url = server.newDatabase("members_forget");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a");
             PostgresStateStore b = PostgresStateStore.open(settings(url), "host-b:/srv/b")) {
            long alpha = a.members().join(joiner("alpha", 11), TTL).incarnation();
            b.members().join(joiner("bravo", 12), TTL);
            assertEquals(PostgresMembers.Forgotten.ALIVE, a.members().forget("bravo", TTL));
            assertEquals(PostgresMembers.Forgotten.UNKNOWN, a.members().forget("charlie", TTL));
            assertEquals(List.of("alpha", "bravo"), a.members().list(TTL).stream().map(MemberRow::name).toList());

            server.execute(database(url), "UPDATE runners SET heartbeat_at = now() - INTERVAL '20 seconds'"
                    + " WHERE member_name = 'bravo'"); // killed: stale
            assertEquals(PostgresMembers.Forgotten.FORGOTTEN, a.members().forget("bravo", TTL));
            assertEquals(List.of("alpha"), a.members().list(TTL).stream().map(MemberRow::name).toList());
            assertEquals(PostgresMembers.Forgotten.UNKNOWN, a.members().forget("bravo", TTL), "forgotten already");

            a.members().leave(alpha); // stopped gracefully
            assertEquals(PostgresMembers.Forgotten.FORGOTTEN, a.members().forget("alpha", TTL));
            assertEquals(List.of(), a.members().list(TTL));

            b.members().join(joiner("bravo", 13), TTL); // back under its name: listed again
            assertEquals(List.of("bravo"), b.members().list(TTL).stream().map(MemberRow::name).toList());
        }
    }

    @Test
    void aJoinedRunnerIsListedAliveWithItsLabelsAndFigures() {
        String url = server.newDatabase("members_join");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a")) {
            long incarnation = a.members().join(joiner("alpha", 11), TTL).incarnation();
            assertTrue(a.members().heartbeat(incarnation, "alpha", 3, 8).held());

            List<MemberRow> rows = a.members().list(TTL);
            assertEquals(1, rows.size());
            MemberRow m = rows.get(0);
            assertEquals("alpha", m.name());
            assertEquals(List.of("eu", "adspower"), m.labels());
            assertEquals(incarnation, m.incarnation());
            assertEquals(MemberRow.ALIVE, m.state());
            assertEquals(3, m.sessions());
            assertEquals(8, m.capacity());
            assertEquals("host-11", m.host());
            assertEquals(11L, m.pid());
        }
    }

    /** A heartbeat that ran late on the server (given up on, queued behind a lock) must not undo a later one (R4). */
    @Test
    void aHeartbeatNeverMovesTheRowsHeartbeatBackwards() throws SQLException {
        String url = server.newDatabase("members_monotonic");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a")) {
            long incarnation = a.members().join(joiner("alpha", 11), TTL).incarnation();
            server.execute(database(url), "UPDATE runners SET heartbeat_at = now() + INTERVAL '30 seconds'"
                    + " WHERE member_name = 'alpha'"); // a later heartbeat's, as the late one arrives
            Timestamp later = one(url, "SELECT heartbeat_at FROM runners WHERE member_name = 'alpha'");
            assertTrue(a.members().heartbeat(incarnation, "alpha", 0, 8).held());
            assertEquals(later, one(url, "SELECT heartbeat_at FROM runners WHERE member_name = 'alpha'"));
        }
    }

    @Test
    void theHeartbeatIsTheDatabaseClock() throws SQLException {
        String url = server.newDatabase("members_clock");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a")) {
            long incarnation = a.members().join(joiner("alpha", 11), TTL).incarnation();
            Timestamp joined = one(url, "SELECT heartbeat_at FROM runners WHERE member_name = 'alpha'");
            Timestamp before = one(url, "SELECT now()");
            assertTrue(a.members().heartbeat(incarnation, "alpha", 0, 8).held());
            Timestamp after = one(url, "SELECT now()");
            Timestamp beat = one(url, "SELECT heartbeat_at FROM runners WHERE member_name = 'alpha'");
            assertTrue(beat.after(joined), "the heartbeat advanced");
            assertFalse(beat.before(before), "not before the database's now() just before it");
            assertFalse(beat.after(after), "not after the database's now() just after it");
        }
    }

    @Test
    void aSecondRunnerWithALiveNameIsRefusedWithOneLine() {
        String url = server.newDatabase("members_dup");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a");
             PostgresStateStore b = PostgresStateStore.open(settings(url), "host-b:/srv/b")) {
            long first = a.members().join(joiner("alpha", 11), TTL).incarnation();
            NameTakenException e = assertThrows(NameTakenException.class, () -> b.members().join(joiner("alpha", 22), TTL));
            assertTrue(e.getMessage().startsWith("runner name \"alpha\" is taken by a live runner (host host-11, pid 11,"
                    + " last heartbeat "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertEquals(1, e.exitCode());
            assertTrue(a.members().heartbeat(first, "alpha", 0, 8).held(), "the first keeps its name");
            assertEquals(List.of(11L), a.members().list(TTL).stream().map(MemberRow::pid).toList());
        }
    }

    @Test
    void aStaleNameIsTakenOverAndItsOldHolderLearnsIt() {
        String url = server.newDatabase("members_stale");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a");
             PostgresStateStore b = PostgresStateStore.open(settings(url), "host-b:/srv/b")) {
            long first = a.members().join(joiner("alpha", 11), TTL).incarnation();
            // as after a kill -9 twenty seconds ago, on the database's clock
            server.execute(database(url), "UPDATE runners SET heartbeat_at = now() - interval '20 seconds'");
            assertEquals(MemberRow.STALE, a.members().list(TTL).get(0).state());

            long second = b.members().join(joiner("alpha", 22), TTL).incarnation();
            assertNotEquals(first, second);
            List<MemberRow> rows = b.members().list(TTL);
            assertEquals(1, rows.size());
            assertEquals(22L, rows.get(0).pid());
            assertEquals(MemberRow.ALIVE, rows.get(0).state());
            assertFalse(a.members().heartbeat(first, "alpha", 0, 8).held(), "the old holder no longer holds the name");
        }
    }

    @Test
    void aGracefulStopFreesTheNameAtOnce() {
        String url = server.newDatabase("members_leave");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a");
             PostgresStateStore b = PostgresStateStore.open(settings(url), "host-b:/srv/b")) {
            long first = a.members().join(joiner("alpha", 11), TTL).incarnation();
            a.members().leave(first);
            MemberRow stopped = a.members().list(TTL).get(0);
            assertEquals(MemberRow.STOPPED, stopped.state());
            assertNull(stopped.heartbeatAgeMs());

            b.members().join(joiner("alpha", 22), TTL);
            assertEquals(List.of(MemberRow.ALIVE), b.members().list(TTL).stream().map(MemberRow::state).toList());
        }
    }

    @Test
    void aRestartOnTheSameDataDirTakesItsOwnNameBackAtOnce() {
        String url = server.newDatabase("members_restart");
        long first;
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a")) {
            first = a.members().join(joiner("alpha", 11), TTL).incarnation(); // then killed: no leave
        }
        try (PostgresStateStore again = PostgresStateStore.open(settings(url), "host-a:/srv/a")) {
            long second = again.members().join(joiner("alpha", 12), TTL).incarnation();
            assertTrue(second > first, "a new incarnation");
            assertEquals(12L, again.members().list(TTL).get(0).pid());
        }
    }

    /**
     * A heartbeat the database does not answer (here its row is locked by another transaction; on a
     * cut network the socket stays silent) fails within PostgresWork.ANSWER_WITHIN_MS, so the
     * heartbeat thread retries, instead of waiting for as long as the silence lasts.
     */
    @Test
    void aHeartbeatTheDatabaseDoesNotAnswerFailsInsteadOfWaiting() throws Exception {
        String url = server.newDatabase("members_silent");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a")) {
            long incarnation = a.members().join(joiner("alpha", 11), TTL).incarnation();
            try (Connection lock = server.connect(database(url))) {
                lock.setAutoCommit(false);
                lock.createStatement().execute("SELECT 1 FROM runners WHERE member_name = 'alpha' FOR UPDATE");
                java.util.concurrent.CompletableFuture<Boolean> beat = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> a.members().heartbeat(incarnation, "alpha", 0, 8).held());
                java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> beat.get(60, java.util.concurrent.TimeUnit.SECONDS), "it failed, not still waiting");
                assertTrue(failed.getCause() instanceof StoreException, String.valueOf(failed.getCause()));
                lock.rollback();
            }
            assertTrue(a.members().heartbeat(incarnation, "alpha", 0, 8).held(), "and works again");
        }
    }
}
