package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SqliteStateStoreTest extends StateStoreContractTest {
    private static final int SHORT_BUSY_TIMEOUT_MS = 200;

    @Override
    protected StateStore newStore(Path dir) {
        return SqliteStateStore.open(dir.resolve("state.db"), SqliteSynchronous.NORMAL);
    }

    private Path db() {
        return dir.resolve("data").resolve("state.db");
    }

    @Test
    void createsParentDirectoriesAndUsesWalMode() {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            assertTrue(Files.isRegularFile(db()));
            assertEquals("wal", store.pragma("journal_mode"));
            assertEquals("1", store.pragma("foreign_keys"));
            assertEquals(String.valueOf(SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS), store.pragma("busy_timeout"));
        }
    }

    @Test
    void aNewStoreHasSmallPagesAndAnOlderOneKeepsItsOwn() throws Exception {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            assertEquals(String.valueOf(SqliteConnector.PAGE_BYTES), store.pragma("page_size"));
        }
        // a store made before the page size was set: SQLite's default, its schema in place
        Path older = dir.resolve("older.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + older);
             Statement st = c.createStatement()) {
            st.execute("PRAGMA page_size = 4096");
            SqliteMigrations.migrate(c, older.toString(), line -> { });
        }
        try (SqliteStateStore store = SqliteStateStore.open(older, SqliteSynchronous.NORMAL)) {
            store.write(profiles(fullProfile("p1")));
            assertEquals("4096", store.pragma("page_size"));
            assertEquals(Map.of("p1", fullProfile("p1")), store.loadProfiles());
        }
    }

    @ParameterizedTest
    @EnumSource(SqliteSynchronous.class)
    void appliesTheSynchronousLevel(SqliteSynchronous level) {
        try (SqliteStateStore store = SqliteStateStore.open(db(), level)) {
            assertEquals(String.valueOf(level.ordinal()), store.pragma("synchronous"));
        }
    }

    @Test
    void aWriteThatFailsOnAFullDatabaseIsRetriedOnceThereIsRoomAgain() {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            store.write(profiles(fullProfile("p1")));
            // SQLite's own "database or disk is full" (SQLITE_FULL), as on a full disk
            store.pragma("max_page_count = " + store.pragma("page_count"));
            List<ProfileState> many = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                many.add(fullProfile("p" + (1000 + i)));
            }
            StateWrite big = new StateWrite(many, List.of());
            StoreException full = assertThrows(StoreException.class, () -> store.write(big));
            assertTrue(full.getMessage().contains("full"), full.getMessage());
            assertThrows(StoreException.class, () -> store.write(big), "still full");

            store.pragma("max_page_count = 1000000");
            store.write(big);
            store.write(profiles(fullProfile("p2")));
            assertEquals(202, store.loadProfiles().size());
        }
    }

    @Test
    void migrationsAreAppliedOnce() throws SQLException {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            store.write(profiles(fullProfile("p1")));
        }
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            assertEquals(Map.of("p1", fullProfile("p1")), store.loadProfiles());
        }
        assertEquals(java.util.stream.IntStream.rangeClosed(1, SqliteMigrations.LATEST).boxed().toList(),
                appliedVersions(), "each version applied once");
    }

    @Test
    void aVersion1StoreGainsTheLadderStatsTableAndKeepsItsProfiles() throws SQLException {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            store.write(profiles(fullProfile("p1")));
        }
        asVersion2();
        execute("DROP TABLE ladder_stats");
        execute("DELETE FROM schema_version WHERE version = 2");

        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            store.writeLadderStats(List.of(new io.smartrunner.store.LadderStat("sig", "a", 1, 1, "exit", "3", T0)));
            assertEquals(1, store.loadLadderStats().size());
            assertEquals(Map.of("p1", fullProfile("p1")), store.loadProfiles());
        }
        assertEquals(List.of(1, 2, 3, 4), appliedVersions());
    }

    @Test
    void aVersion2StoreIndexesOnlyItsRunningSessionsAndKeepsThem() throws SQLException {
        SessionRecord open = running("s-open", "p1", T0.plusSeconds(2));
        SessionRecord ended = running("s-ended", "p1", T0).ended(Status.FAILED, T0.plusSeconds(1), "exit", 1);
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            store.write(new StateWrite(List.of(fullProfile("p1")), List.of(ended, open)));
        }
        asVersion2();

        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            assertEquals(List.of(open), store.openSessions());
            assertEquals(List.of("s-open", "s-ended"),
                    store.recentSessions("p1", 10).stream().map(SessionRecord::sessionId).toList());
        }
        assertEquals(List.of(1, 2, 3, 4), appliedVersions());
        assertEquals(List.of("sessions_running"), indexesOfSessions());
    }

    private void asVersion2() throws SQLException {
        OlderSqliteSchemas.asVersion2(db());
    }

    private List<String> indexesOfSessions() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index'"
                     + " AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    void rejectsASchemaNewerThanItKnows() throws SQLException {
        SqliteStateStore.open(db(), SqliteSynchronous.NORMAL).close();
        execute("INSERT INTO schema_version (version, name) VALUES (7, 'V7__future.sql')");

        StoreException e = assertThrows(StoreException.class,
                () -> SqliteStateStore.open(db(), SqliteSynchronous.NORMAL));
        StoreException readOnly = assertThrows(StoreException.class, () -> SqliteStateStore.openReadOnly(db()));

        String expected = db() + ": schema version 7 is newer than this runner understands (max " + SqliteMigrations.LATEST + ")";
        assertEquals(expected, e.getMessage());
        assertEquals(expected, readOnly.getMessage());
    }

    @Test
    void rejectsAFileThatIsNotADatabase() throws Exception {
        Files.createDirectories(db().getParent());
        Files.writeString(db(), "this is not a database, just some text that is long enough ".repeat(20));

        StoreException e = assertThrows(StoreException.class,
                () -> SqliteStateStore.open(db(), SqliteSynchronous.NORMAL));

        assertEquals(db() + ": not a SQLite database (file is not a database)", e.getMessage());
    }

    @Test
    void rejectsADirectoryAtThePath() throws Exception {
        Files.createDirectories(db());

        StoreException e = assertThrows(StoreException.class,
                () -> SqliteStateStore.open(db(), SqliteSynchronous.NORMAL));

        assertEquals(db() + ": is a directory, not a database file", e.getMessage());
    }

    @Test
    void reportsAFileInTheWayOfItsDirectory() throws Exception {
        Files.writeString(dir.resolve("data"), "a file, not a directory");

        StoreException e = assertThrows(StoreException.class,
                () -> SqliteStateStore.open(db(), SqliteSynchronous.NORMAL));

        assertTrue(e.getMessage().startsWith(db() + ": cannot create its directory (a file is in the way: "),
                e.getMessage());
    }

    @Test
    void reportsADatabaseLockedByAnotherProcessOnOpen() throws SQLException {
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("state.db"));
             Statement st = other.createStatement()) {
            st.execute("CREATE TABLE t (x)");
            st.execute("BEGIN EXCLUSIVE");
            st.execute("INSERT INTO t VALUES (1)");

            StoreException e = assertThrows(StoreException.class, () -> SqliteStateStore.open(
                    dir.resolve("state.db"), SqliteSynchronous.NORMAL, SHORT_BUSY_TIMEOUT_MS, 1000));

            assertEquals(dir.resolve("state.db") + ": locked by another process (database is locked)",
                    e.getMessage());
            st.execute("ROLLBACK");
        }
    }

    @Test
    void reportsADatabaseLockedByAnotherProcessOnWriteAndRecovers() throws SQLException {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL,
                SHORT_BUSY_TIMEOUT_MS, 1000);
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement st = other.createStatement()) {
            st.execute("BEGIN EXCLUSIVE");

            StoreException e = assertThrows(StoreException.class, () -> store.write(profiles(fullProfile("p1"))));

            assertEquals(db() + ": locked by another process (database is locked)", e.getMessage());
            st.execute("ROLLBACK");
            store.write(profiles(fullProfile("p1")));
            assertEquals(Map.of("p1", fullProfile("p1")), store.loadProfiles());
        }
    }

    @Test
    void rejectsASessionOfAnUnknownProfileWithAClearMessage() {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            StoreException e = assertThrows(StoreException.class,
                    () -> store.write(new StateWrite(List.of(), List.of(running("s1", "ghost", T0)))));

            assertEquals(db() + ": rejected by a constraint (FOREIGN KEY constraint failed)", e.getMessage());
        }
    }

    @Test
    void readOnlyStoreReadsWhileTheRunnerWrites() {
        try (SqliteStateStore runner = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            runner.write(new StateWrite(List.of(fullProfile("p1")), List.of(running("s1", "p1", T0))));
            try (SqliteStateStore status = SqliteStateStore.openReadOnly(db())) {
                assertEquals(runner.runnerId(), status.runnerId());
                assertEquals(Map.of("p1", fullProfile("p1")), status.loadProfiles());

                runner.write(profiles(ProfileState.fresh("p2", "podA")));

                assertEquals(2, status.loadProfiles().size());
                StoreException e = assertThrows(StoreException.class,
                        () -> status.write(profiles(fullProfile("p3"))));
                assertEquals(db() + ": opened read-only, cannot write", e.getMessage());
            }
        }
    }

    @Test
    void readOnlyOpenOfAMissingFileSaysThereIsNoStateYet() {
        StoreException e = assertThrows(StoreException.class, () -> SqliteStateStore.openReadOnly(db()));

        assertEquals(db() + ": no state yet (has the runner run?)", e.getMessage());
        assertTrue(Files.notExists(db()));
    }

    @Test
    void readOnlyOpenAfterTheRunnerStopped() {
        try (SqliteStateStore runner = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            runner.write(profiles(fullProfile("p1")));
        }
        try (SqliteStateStore status = SqliteStateStore.openReadOnly(db())) {
            assertEquals(Map.of("p1", fullProfile("p1")), status.loadProfiles());
        }
    }

    @Test
    void keepsOnlyTheNewestEndedSessionsOfAProfile() {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL, 2000, 5)) {
            store.write(profiles(fullProfile("p1")));
            store.write(new StateWrite(List.of(), List.of(running("old-but-running", "p1", T0))));
            for (int i = 1; i <= 20; i++) {
                SessionRecord s = running("s" + i, "p1", T0.plusSeconds(i))
                        .ended(Status.FINISHED, T0.plusSeconds(i + 1), null, 0);
                store.write(new StateWrite(List.of(), List.of(s)));
            }

            List<SessionRecord> kept = store.recentSessions("p1", 100);

            assertEquals(List.of("s20", "s19", "s18", "s17", "s16", "old-but-running"),
                    kept.stream().map(SessionRecord::sessionId).toList());
        }
    }

    /** Not a benchmark: the shape of the runner's hot path (one profile + one session per write). */
    @Test
    void sustainsARestartLoop() {
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL)) {
            int restarts = 3000;
            long began = System.nanoTime();
            for (int i = 0; i < restarts; i++) {
                String profile = "p" + (i % 50);
                SessionRecord s = running("s" + i, profile, T0.plusMillis(i));
                store.write(new StateWrite(List.of(fullProfile(profile)),
                        List.of(s.ended(Status.FINISHED, T0.plusMillis(i + 1), null, 0))));
            }
            long micros = (System.nanoTime() - began) / 1000;
            System.out.printf("sqlite restart loop: %d writes in %d ms (%.0f/s)%n", restarts, micros / 1000,
                    restarts * 1e6 / micros);
            assertEquals(50, store.loadProfiles().size());
        }
    }

    @Test
    void aCommitNeverCopiesTheWalBackItself() throws Exception {
        List<String> said = new ArrayList<>();
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL,
                SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS, 1000, 3_600_000, said::add)) {
            assertEquals("0", store.pragma("wal_autocheckpoint"));
            for (int round = 0; round < 200; round++) {
                List<ProfileState> batch = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    batch.add(fullProfile("p" + round + "-" + i));
                }
                store.write(new StateWrite(batch, List.of()));
            }
            // past SQLite's automatic checkpoint (1 000 pages), yet nothing is in the file itself
            assertTrue(Files.size(wal()) > 1000L * SqliteConnector.PAGE_BYTES, "WAL " + Files.size(wal()) + " bytes");
            assertEquals(0, profilesInTheFileAlone());
            assertEquals(20_000, store.loadProfiles().size());
        }
        assertEquals(20_000, profilesInTheFileAlone(), "closing copies everything back");
        assertTrue(said.isEmpty(), said.toString());
    }

    @Test
    void theCheckpointersThreadCopiesTheWalBackAfterAWrite() throws Exception {
        List<String> said = new ArrayList<>();
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL,
                SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS, 1000, 0, said::add)) {
            store.write(profiles(fullProfile("p1")));
            assertTrue(store.awaitCheckpoints(1, 10_000), "a checkpoint after the write");
            assertEquals(1, profilesInTheFileAlone());

            store.write(profiles(fullProfile("p2")));
            assertTrue(store.awaitCheckpoints(2, 10_000), "another after the next write");
            assertEquals(2, profilesInTheFileAlone());
        }
        assertTrue(Files.notExists(wal()), "the last connection's close removes the WAL");
        assertTrue(said.isEmpty(), said.toString());
    }

    /**
     * Under writes that never pause, a commit lands during every PASSIVE copy: without the RESTART
     * that follows, the WAL never started over and grew by every frame ever written (17 MB/s in a
     * crash loop).
     */
    @Test
    void underWritesThatNeverPauseTheWalStartsOverRatherThanGrowing() throws Exception {
        List<String> said = new ArrayList<>();
        int commits = 20_000;
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL,
                SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS, 1000, 2, said::add)) {
            assertEquals(String.valueOf(SqliteStateStore.WAL_KEPT_BYTES), store.pragma("journal_size_limit"));
            for (int i = 0; i < commits; i++) {
                String profile = "p" + (i % 50);
                store.write(new StateWrite(List.of(fullProfile(profile)),
                        List.of(running("s" + i, profile, T0.plusMillis(i)).ended(Status.FINISHED, T0.plusMillis(i + 1), null, 0))));
            }
            // each commit writes about 5 pages; two are certain (a profile's row and a session's, in two
            // tables), each with its frame header. Started over, the WAL stays near 12 MB here
            long everWritten = commits * 2 * (SqliteConnector.PAGE_BYTES + 24L);
            long wal = Files.size(wal());
            assertTrue(wal < everWritten / 2, "the WAL is " + wal + " bytes after " + commits + " commits");
            assertEquals(50, store.loadProfiles().size());
        }
        assertTrue(said.isEmpty(), said.toString());
    }

    /** docs/durability.md: a reader (a CLI's status) holds the WAL's restart up for a moment, never the writes. */
    @Test
    void aReaderPutsTheWalsRestartOffToTheNextRoundAndTheWritesGoOn() throws Exception {
        List<String> said = new ArrayList<>();
        try (SqliteStateStore store = SqliteStateStore.open(db(), SqliteSynchronous.NORMAL,
                SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS, 1000, 3_600_000, said::add)) {
            for (int i = 0; i < 1200; i++) {
                store.write(profiles(fullProfile("p" + i)));
            }
            // enough for a RESTART (measured without a checkpoint: the reader must find the WAL not yet copied back)
            assertTrue(Files.size(wal()) > SqliteCheckpointer.RESTART_FRAMES * (SqliteConnector.PAGE_BYTES + 24L),
                    "WAL " + Files.size(wal()));
            try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + db())) {
                reader.setAutoCommit(false);
                try (Statement st = reader.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM profiles")) {
                    assertEquals(1200, rs.getInt(1)); // its snapshot holds the WAL until it ends
                }
                store.checkpointNow();
                store.write(profiles(fullProfile("during")));
                assertTrue(framesSinceTheWalStartedOver() > SqliteCheckpointer.RESTART_FRAMES,
                        "the reader kept the WAL from starting over");
                reader.rollback();
            }
            store.checkpointNow();
            store.write(profiles(fullProfile("after")));
            long frames = framesSinceTheWalStartedOver();
            assertTrue(frames < 50, "the next round started the WAL over: " + frames + " frames since");
            assertEquals(1202, store.loadProfiles().size());
        }
        assertTrue(said.isEmpty(), said.toString());
    }

    /** What a PASSIVE checkpoint (which never starts the WAL over) reports as the WAL's length. */
    private long framesSinceTheWalStartedOver() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            return rs.getLong(2);
        }
    }

    private Path wal() {
        return db().resolveSibling("state.db-wal");
    }

    /** Profiles in a copy of the database file without its WAL: what checkpoints have put there. */
    private int profilesInTheFileAlone() throws Exception {
        Path copy = dir.resolve("alone").resolve("copy.db");
        Files.createDirectories(copy.getParent());
        Files.copy(db(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
             Statement st = c.createStatement();
             ResultSet table = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'profiles'")) {
            if (table.getInt(1) == 0) {
                return 0;
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM profiles")) {
                return rs.getInt(1);
            }
        }
    }

    private List<Integer> appliedVersions() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            List<Integer> versions = new java.util.ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
            return versions;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
