package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A version-3 store's sessions moved into version 4's table, at once or in batches resumed after a kill. */
class SessionRegroupingTest {
    private static final Instant T0 = Instant.parse("2026-12-04T09:00:00.000Z");
    /** p0 holds more sessions than a batch of {@link #BATCH}: a batch still ends with a whole profile. */
    private static final int[] SESSIONS_OF = {25, 7, 7, 7, 7};
    private static final int BATCH = 10;

    @TempDir
    Path dir;
    private Path db;
    private final Map<String, List<SessionRecord>> before = new LinkedHashMap<>();
    private final List<SessionRecord> runningBefore = new ArrayList<>();

    @BeforeEach
    void aVersion3StoreWithSessionsInterleavedAcrossProfiles() throws SQLException {
        db = dir.resolve("state.db");
        List<ProfileState> profiles = new ArrayList<>();
        List<SessionRecord> sessions = new ArrayList<>();
        for (int p = 0; p < SESSIONS_OF.length; p++) {
            profiles.add(ProfileState.fresh("p" + p, "podA"));
            for (int i = 0; i < SESSIONS_OF[p]; i++) {
                Instant start = T0.plusSeconds(i * 10L + p);
                SessionRecord s = new SessionRecord("s-p" + p + "-" + i, "p" + p, "podA", 100 + i, 5000 + i, 100 + i,
                        start, Status.RUNNING, null, null, null);
                sessions.add(i == SESSIONS_OF[p] - 1 ? s : s.ended(i % 2 == 0 ? Status.FAILED : Status.FINISHED,
                        start.plusSeconds(5), i % 2 == 0 ? "exit" : null, i % 2 == 0 ? 3 : 0));
            }
        }
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL)) {
            store.write(new StateWrite(profiles, sessions));
            for (ProfileState p : profiles) {
                before.put(p.profileId(), store.recentSessions(p.profileId(), 100));
            }
            runningBefore.addAll(store.openSessions());
        }
        OlderSqliteSchemas.asVersion3(db);
    }

    /**
     * A small store is regrouped by the migration alone; the upgrade itself is said, and the store
     * as it was is kept beside it (an older runner refuses the upgraded one).
     */
    @Test
    void aSmallStoreIsRegroupedByTheMigrationAloneAndTheOldStoreIsKept() throws SQLException {
        List<String> said = new ArrayList<>();
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL, said::add)) {
            assertKeptAsBefore(store);
        }
        Path copy = Path.of(db + ".schema-3");
        assertEquals(List.of(db + ": upgrading the schema from version 3 to " + SqliteMigrations.LATEST + "; the store"
                + " as it was is in " + copy + " (copied now): an older runner cannot open the upgraded store, so to go"
                + " back, stop this one and move the copy into place (docs/operations.md)"), said);
        assertRegrouped();
        try (Connection old = java.sql.DriverManager.getConnection("jdbc:sqlite:" + copy)) {
            assertEquals(3, SqliteMigrations.currentVersion(old), "the copy is the store as it was");
        }
        said.clear();
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL, said::add)) {
            assertKeptAsBefore(store);
        }
        assertEquals(List.of(), said, "the next start upgrades nothing and says nothing");
    }

    /**
     * Reviewer R19: a kill during the copy left a half-written copy under its final name with a hot
     * journal beside it, and the next start kept it as "the store as it was" (moved into place it
     * was not a database; opened, SQLite rolled the journal into it and left 0 bytes). An older
     * runner that ran between two starts was undone by the earlier copy too. Each start that
     * upgrades copies afresh, under a temporary name renamed into place once whole.
     */
    @Test
    void aCopyLeftHalfWrittenOrOlderThanTheStoreIsReplacedByAWholeOneOfTheStoreAsItIs() throws Exception {
        Path copy = Path.of(db + ".schema-3");
        Files.write(copy, new byte[] {'S', 'Q', 'L', 'i', 't', 'e', 0, 1, 2, 3}); // a killed VACUUM INTO's start
        Files.write(Path.of(copy + "-journal"), new byte[512]);
        Files.write(Path.of(copy + ".partial"), new byte[64]); // this release's own, killed mid-copy
        try (Connection c = connect(); Statement st = c.createStatement()) { // the older runner's work since
            st.execute("INSERT INTO sessions VALUES ('s-p0-late', 'p0', 'podA', 1, 2, 1, "
                    + T0.plusSeconds(900).toEpochMilli() + ", 'FINISHED', " + T0.plusSeconds(905).toEpochMilli()
                    + ", NULL, 0)");
        }
        List<String> said = new ArrayList<>();
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL, said::add)) {
            assertEquals("s-p0-late", store.recentSessions("p0", 1).get(0).sessionId());
        }
        assertTrue(said.get(0).contains("the store as it was is in " + copy + " (copied now, over an earlier start's"
                + " copy)"), said.toString());
        assertFalse(Files.exists(Path.of(copy + "-journal")), "no journal to roll back into the new copy");
        assertFalse(Files.exists(Path.of(copy + ".partial")));
        try (Connection old = java.sql.DriverManager.getConnection("jdbc:sqlite:" + copy);
             Statement st = old.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM sessions WHERE session_id = 's-p0-late'")) {
            assertEquals(3, SqliteMigrations.currentVersion(old), "a whole store at the old version");
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "with what the older runner did before this start");
        }
    }

    /** Reviewer R20: a copy that cannot be made said only a path; it says why, and keeps a whole earlier copy. */
    @Test
    void aCopyThatCannotBeMadeSaysWhyAndKeepsAWholeEarlierOne() throws Exception {
        Path copy = Path.of(db + ".schema-3");
        Files.createDirectories(Path.of(copy + ".partial", "in-the-way"));
        StoreException refused = assertThrows(StoreException.class, () -> SqliteStateStore.open(db, SqliteSynchronous.NORMAL,
                line -> { }).close());
        assertTrue(refused.getMessage().contains(copy + ".partial: a directory is in the way"), refused.getMessage());
        try (Connection c = connect()) {
            assertEquals(3, SqliteMigrations.currentVersion(c), "not upgraded without its copy");
            try (Statement st = c.createStatement()) {
                st.execute("VACUUM INTO '" + copy + "'"); // an earlier start's whole copy
            }
        }
        List<String> said = new ArrayList<>();
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL, said::add)) {
            assertKeptAsBefore(store);
        }
        assertTrue(said.get(0).contains("(kept from an earlier start; a fresh copy failed: " + copy
                + ".partial: a directory is in the way)"), said.toString());
    }

    @Test
    void aBigStoreIsCopiedInBatchesOfWholeProfilesAndGoesOnAfterAKill() throws SQLException {
        List<String> said = new ArrayList<>();
        Consumer<String> killedAtFirstProgress = line -> {
            said.add(line);
            if (line.endsWith("sessions regrouped")) {
                throw new IllegalStateException("killed");
            }
        };
        try (Connection c = connect()) {
            assertThrows(IllegalStateException.class,
                    () -> regrouping(c, killedAtFirstProgress).copyBeforeMigrating(3));
            assertEquals(Map.of("p0", 25), rowsPerProfile(c, "sessions_v4"), "the first batch, committed whole");

            said.clear();
            String cacheSize = pragma(c, "cache_size");
            regrouping(c, said::add).copyBeforeMigrating(3);
            assertEquals(cacheSize, pragma(c, "cache_size"), "the copy's bigger page cache given back");
            assertEquals(Map.of("p0", 25, "p1", 7, "p2", 7, "p3", 7, "p4", 7), rowsPerProfile(c, "sessions_v4"),
                    "every profile, each whole");
        }
        assertEquals(db + ": upgrading to schema 4, once: regrouping 53 kept sessions by profile (25 already"
                + " copied by an earlier start); the store opens when it is done", said.get(0));
        assertTrue(said.get(said.size() - 1).startsWith(db + ": sessions regrouped in "), said.toString());

        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL)) {
            assertKeptAsBefore(store);
        }
        assertRegrouped();
    }

    @Test
    void anOlderRunnerWritingBetweenTwoStartsMakesTheCopyStartOver() throws SQLException {
        try (Connection c = connect()) {
            assertThrows(IllegalStateException.class, () -> regrouping(c, line -> {
                if (line.endsWith("sessions regrouped")) {
                    throw new IllegalStateException("killed");
                }
            }).copyBeforeMigrating(3));
            assertEquals(Map.of("p0", 25), rowsPerProfile(c, "sessions_v4"));
            try (Statement st = c.createStatement()) { // a downgrade: the old runner ends a session of p0
                st.execute("INSERT INTO sessions VALUES ('s-p0-late', 'p0', 'podA', 1, 2, 1, "
                        + T0.plusSeconds(900).toEpochMilli() + ", 'FINISHED', " + T0.plusSeconds(905).toEpochMilli()
                        + ", NULL, 0)");
            }

            List<String> said = new ArrayList<>();
            regrouping(c, said::add).copyBeforeMigrating(3);
            assertEquals(db + ": the sessions changed since an earlier start began regrouping them (an older runner"
                    + " ran in between): regrouping them again from the first", said.get(0));
            assertEquals(Map.of("p0", 26, "p1", 7, "p2", 7, "p3", 7, "p4", 7), rowsPerProfile(c, "sessions_v4"));
        }
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.NORMAL)) {
            assertEquals("s-p0-late", store.recentSessions("p0", 1).get(0).sessionId());
        }
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM meta WHERE key = '" + SessionRegrouping.SOURCE_KEY + "'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "the record of the copy's source goes with the migration");
        }
    }

    @Test
    void aReaderOfAStoreBeingUpgradedIsToldSo() throws SQLException {
        StoreException notYet = assertThrows(StoreException.class, () -> SqliteStateStore.openReadOnly(db));
        assertEquals(db + ": schema version 3 is older than this runner (" + SqliteMigrations.LATEST
                + "); start this runner once to upgrade it (an older runner running on it now: stop that one first;"
                + " meanwhile pause, unpause, reset, run-now and reload reach it through its API)", notYet.getMessage());
        try (Connection c = connect()) {
            assertThrows(IllegalStateException.class, () -> regrouping(c, line -> {
                if (line.endsWith("sessions regrouped")) {
                    throw new IllegalStateException("killed");
                }
            }).copyBeforeMigrating(3));
        }
        StoreException begun = assertThrows(StoreException.class, () -> SqliteStateStore.openReadOnly(db));
        assertEquals(db + ": schema version 3 is older than this runner (" + SqliteMigrations.LATEST + ") and a runner"
                + " has begun upgrading it (its stderr says how far it got); try again once it runs, or start one to"
                + " finish the upgrade", begun.getMessage());
    }

    @Test
    void aStoreAlreadyAtVersion4OrNewIsLeftAlone() throws SQLException {
        try (Connection c = connect()) {
            List<String> said = new ArrayList<>();
            regrouping(c, said::add).copyBeforeMigrating(0);
            regrouping(c, said::add).copyBeforeMigrating(4);
            assertEquals(List.of(), said);
            assertFalse(tables(c).contains("sessions_v4"));
        }
    }

    /** Batches of {@link #BATCH} rows, said aloud from the first row, ten seconds passing between looks at the clock. */
    private SessionRegrouping regrouping(Connection c, Consumer<String> say) {
        AtomicLong nanos = new AtomicLong();
        LongSupplier tenSecondsAtATime = () -> nanos.getAndAdd(10_000_000_000L);
        return new SessionRegrouping(c, db.toString(), say, tenSecondsAtATime, BATCH, 1);
    }

    private void assertKeptAsBefore(SqliteStateStore store) {
        for (Map.Entry<String, List<SessionRecord>> e : before.entrySet()) {
            assertEquals(e.getValue(), store.recentSessions(e.getKey(), 100), e.getKey());
        }
        assertEquals(runningBefore, store.openSessions());
    }

    private void assertRegrouped() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sql FROM sqlite_master WHERE name = 'sessions'")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).contains("WITHOUT ROWID"), rs.getString(1));
            assertFalse(tables(c).contains("sessions_v4"));
            assertEquals(53, rowsPerProfile(c, "sessions").values().stream().mapToInt(Integer::intValue).sum());
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    private static Map<String, Integer> rowsPerProfile(Connection c, String table) throws SQLException {
        Map<String, Integer> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT profile_id, COUNT(*) FROM " + table + " GROUP BY profile_id")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        }
        return out;
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> tables(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
