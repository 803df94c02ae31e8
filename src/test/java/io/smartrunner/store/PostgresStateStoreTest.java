package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord.Status;
import io.smartrunner.testkit.PostgresServer;
import io.smartrunner.testkit.SilentTcpServer;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What only the PostgreSQL store has: a database shared by runners, its schema versions, its connection errors. */
class PostgresStateStoreTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00.123Z");
    private final PostgresServer server = PostgresServer.shared();

    private static StoreSettings settings(String url) {
        return StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
    }

    private static SessionRecord running(String sessionId, String profileId) {
        return new SessionRecord(sessionId, profileId, "podA", 4242, 987L, 4242, T0, Status.RUNNING, null, null, null);
    }

    @Test
    void runnersShareProfilesButEachKeepsItsOwnIdAndOpenSessions() {
        String url = server.newDatabase("shared");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/data");
             PostgresStateStore b = PostgresStateStore.open(settings(url), "host-b:/srv/data")) {
            a.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of(running("s1", "p1"))));

            assertEquals(List.of("p1"), List.copyOf(b.loadProfiles().keySet()), "one fleet, one set of profiles");
            assertEquals(List.of("s1"), a.openSessions().stream().map(SessionRecord::sessionId).toList());
            assertEquals(List.of(), b.openSessions(), "another runner's pids mean nothing on this machine");
            assertEquals(1, b.recentSessions("p1", 5).size(), "history is the fleet's");
            assertNotEquals(a.runnerId(), b.runnerId());
        }
        try (PostgresStateStore again = PostgresStateStore.open(settings(url), "host-a:/srv/data")) {
            assertEquals(List.of("s1"), again.openSessions().stream().map(SessionRecord::sessionId).toList());
        }
    }

    @Test
    void eachRunnerSeesWhereItsOwnRowsAreAndWhatTheFleetRecorded() throws Exception {
        String url = server.newDatabase("ownrows");
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/data");
             PostgresStateStore b = PostgresStateStore.open(settings(url), "host-b:/srv/data")) {
            assertEquals(java.util.Optional.empty(), a.ownSessionsInSyncSince(), "no row of its own yet");
            a.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of(running("s1", "p1")
                    .ended(Status.FINISHED, T0.plusSeconds(5), null, 0))));
            SessionRecord later = new SessionRecord("s2", "p2", "podA", 4243, 987L, 4243, T0.plusSeconds(60),
                    Status.RUNNING, null, null, null);
            b.write(new StateWrite(List.of(ProfileState.fresh("p2", "podA")), List.of(later)));

            assertEquals(java.util.Optional.of(T0), a.ownSessionsInSyncSince(),
                    "its own newest start: not its end (a lease's next holder may write that), not another runner's"
                    + " later start");
            assertEquals(java.util.Optional.of(T0.plusSeconds(60)), b.ownSessionsInSyncSince());
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, PostgresServer.USER,
                    PostgresServer.PASSWORD); java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT INTO events (ts, runner_name, session_id, event, type) VALUES"
                        + " (now(), 'x', 's3', 'error', 'session'), (now(), 'x', 's4', 'start', 'session')");
            }
            assertEquals(java.util.Set.of("s1", "s2", "s3"), a.recordedElsewhere(List.of("s1", "s2", "s3", "s4", "s5")),
                    "a row (anyone's) or an end in the fleet's events; a start alone is not an end");
        }
    }

    @Test
    void runnersStartingTogetherMigrateANewDatabaseOnce() throws Exception {
        String url = server.newDatabase("together");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String name = "runner-" + i;
                Callable<String> open = () -> {
                    try (PostgresStateStore s = PostgresStateStore.open(settings(url), name)) {
                        return s.runnerId();
                    }
                };
                ids.add(pool.submit(open));
            }
            for (Future<String> id : ids) {
                assertFalse(id.get().isBlank());
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = server.connect(url.substring(url.lastIndexOf('/') + 1));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), max(version) FROM schema_version")) {
            rs.next();
            assertEquals(PostgresMigrations.LATEST, rs.getInt(1));
            assertEquals(PostgresMigrations.LATEST, rs.getInt(2));
        }
    }

    @Test
    void aSchemaNewerThanTheRunnerIsRefusedWithOneLine() throws Exception {
        String url = server.newDatabase("newer");
        try (PostgresStateStore store = PostgresStateStore.open(settings(url), "r1")) {
            store.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of()));
        }
        server.execute(url.substring(url.lastIndexOf('/') + 1),
                "INSERT INTO schema_version (version, name) VALUES (" + (PostgresMigrations.LATEST + 1)
                        + ", 'V" + (PostgresMigrations.LATEST + 1) + "__from_a_newer_runner.sql')");

        StoreException e = assertThrows(StoreException.class, () -> PostgresStateStore.open(settings(url), "r1"));

        assertEquals("PostgreSQL at 127.0.0.1:" + server.port() + ": schema version " + (PostgresMigrations.LATEST + 1)
                + " is newer than this runner understands (max " + PostgresMigrations.LATEST + ")", e.getMessage());
        assertEquals(2, e.exitCode(), "no retry helps: systemd's RestartPreventExitStatus=2 stops the restarts");
    }

    @Test
    void anUnreachableServerIsOneLineNamingHostPortAndTheCause() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        StoreSettings settings = StoreSettings.postgres("jdbc:postgresql://127.0.0.1:" + closed + "/fleet", "sr",
                "pw-never-shown", 2);

        StoreException e = assertThrows(StoreException.class, () -> PostgresStateStore.open(settings, "r1"));

        assertEquals("PostgreSQL at 127.0.0.1:" + closed + ": cannot connect (connection refused)", e.getMessage());
    }

    /** Regression: {@code run} against a server that accepts TCP but never answers hung in the login. */
    @Test
    void aServerThatNeverAnswersTimesOutWithOneLine() throws Exception {
        try (SilentTcpServer silent = new SilentTcpServer()) {
            StoreSettings settings = StoreSettings.postgres("jdbc:postgresql://127.0.0.1:" + silent.port() + "/fleet",
                    "sr", "pw-never-shown", 2);

            StoreException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                    () -> assertThrows(StoreException.class, () -> PostgresStateStore.open(settings, "r1")));

            assertEquals("PostgreSQL at 127.0.0.1:" + silent.port() + ": cannot connect (timed out)", e.getMessage());
        }
    }

    @Test
    void aWrongPasswordIsNamedButNotShown() {
        String url = server.newDatabase("auth");
        StoreSettings wrong = StoreSettings.postgres(url, PostgresServer.USER, "wrong-pw-4711", 2);

        StoreException e = assertThrows(StoreException.class, () -> PostgresStateStore.open(wrong, "r1"));

        assertEquals("PostgreSQL at 127.0.0.1:" + server.port()
                + ": cannot connect (password authentication failed for user \"postgres\")", e.getMessage());
        assertFalse(e.getMessage().contains("wrong-pw-4711"));
    }

    @Test
    void endedSessionsArePrunedToTheNewestKeptPerProfile() {
        String url = server.newDatabase("prune");
        try (PostgresStateStore store = PostgresStateStore.open(settings(url), "r1", 3)) {
            store.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of(running("open", "p1"))));
            for (int i = 0; i < 8; i++) {
                SessionRecord s = new SessionRecord("s" + i, "p1", "podA", 1, 1, 1, T0.plusSeconds(1 + i),
                        Status.FINISHED, T0.plusSeconds(2 + i), null, 0);
                store.write(new StateWrite(List.of(), List.of(s)));
            }

            List<String> kept = store.recentSessions("p1", 100).stream().map(SessionRecord::sessionId).toList();

            assertTrue(kept.containsAll(List.of("s7", "s6", "open")), kept.toString());
            assertTrue(kept.size() <= 4, "the newest 3 and the running one: " + kept);
        }
    }
}
