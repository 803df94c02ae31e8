package io.smartrunner.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Copies the sessions of a store older than schema 4 into the table version 4 keeps them in,
 * before the migration's own transaction, in transactions of whole profiles: a store that keeps
 * millions of sessions is upgraded with a WAL the size of one batch, says how far it got, and a
 * runner killed half-way (systemd's start timeout) goes on from the last profile it copied when it
 * starts again. {@code V4__sessions_by_profile.sql} then copies the profiles after that one and
 * swaps the tables in one transaction; a store this class never saw is migrated by that alone.
 */
final class SessionRegrouping {
    /** Rows a transaction copies, at least: the last profile it reaches is copied whole. */
    static final int BATCH_ROWS = 20_000;
    /** A store with fewer kept sessions is copied by the migration at once, without a word. */
    static final long QUIET_BELOW_ROWS = 100_000;
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;
    /**
     * SQLite's page cache while copying, KiB: a batch reads its profiles' rows from pages spread
     * over the whole old table; 64 MiB of cache halves the copy's time (20 to 9 s a million
     * sessions here). The store's own size is put back afterwards.
     */
    private static final int COPY_CACHE_KIB = 64 << 10;

    /** The {@code meta} key of what the old table held when the copy began (see startOverIfChanged). */
    static final String SOURCE_KEY = "regrouping_sessions_of";
    private static final String CREATE = firstStatementOfV4();
    private static final String LAST_COPIED = "SELECT MAX(profile_id) FROM sessions_v4";
    /** The profile this batch ends with: the one holding the {@code ?2 + 1}-th row after the last copied. */
    private static final String BATCH_END = "SELECT profile_id FROM sessions WHERE ?1 IS NULL OR profile_id > ?1"
            + " ORDER BY profile_id LIMIT 1 OFFSET ?2";
    private static final String COPY = "INSERT INTO sessions_v4 SELECT * FROM sessions"
            + " WHERE (?1 IS NULL OR profile_id > ?1) AND profile_id <= ?2"
            + " ORDER BY profile_id, started_at_ms, session_id";

    private final Connection connection;
    private final String file;
    private final Consumer<String> say;
    private final LongSupplier nanoTime;
    private final int batchRows;
    private final long quietBelowRows;

    SessionRegrouping(Connection connection, String file, Consumer<String> say) {
        this(connection, file, say, System::nanoTime, BATCH_ROWS, QUIET_BELOW_ROWS);
    }

    /** As the constants above say, smaller in tests; {@code nanoTime} times the progress lines. */
    SessionRegrouping(Connection connection, String file, Consumer<String> say, LongSupplier nanoTime,
                      int batchRows, long quietBelowRows) {
        this.connection = connection;
        this.file = file;
        this.say = say;
        this.nanoTime = nanoTime;
        this.batchRows = batchRows;
        this.quietBelowRows = quietBelowRows;
    }

    /** Whether a runner began regrouping this store's sessions (and has not finished: the table goes with it). */
    static boolean begun(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions_v4'")) {
            return rs.next();
        }
    }

    /** Copies all but the last batch's worth of profiles, when the store at {@code version} needs it. */
    void copyBeforeMigrating(int version) throws SQLException {
        if (version < 1 || version >= 4) {
            return; // a new store has nothing to copy; a migrated one nothing left
        }
        long total;
        long copied;
        try (Statement st = connection.createStatement()) {
            st.execute(CREATE);
            total = count(st, "sessions");
            copied = count(st, "sessions_v4");
            copied = startOverIfChanged(st, total, copied);
        }
        if (total - copied < quietBelowRows) {
            return;
        }
        long began = nanoTime.getAsLong();
        say.accept(file + ": upgrading to schema 4, once: regrouping " + total + " kept sessions by profile"
                + (copied > 0 ? " (" + copied + " already copied by an earlier start)" : "")
                + "; the store opens when it is done");
        String cacheSize;
        try (Statement st = connection.createStatement()) {
            cacheSize = SqliteConnector.queryString(st, "PRAGMA cache_size");
            st.execute("PRAGMA cache_size = -" + COPY_CACHE_KIB);
        }
        try {
            copyAll(total, copied, began);
        } finally {
            try (Statement st = connection.createStatement()) {
                st.execute("PRAGMA cache_size = " + Integer.parseInt(cacheSize));
            }
        }
        say.accept(file + ": sessions regrouped in " + (nanoTime.getAsLong() - began) / 1_000_000_000L
                + " s; the last batch and the switch follow in one transaction");
    }

    /**
     * What was copied before is kept only if the old table is as it was then: a runner of an
     * older version started in between (a downgrade half-way) would have written sessions of
     * profiles already copied, which going on from the last profile would leave behind. The old
     * table's row count and highest rowid, recorded in {@code meta}, tell (V4 deletes the record).
     */
    private long startOverIfChanged(Statement st, long total, long copied) throws SQLException {
        String source = total + ":" + SqliteConnector.queryString(st, "SELECT COALESCE(MAX(rowid), 0) FROM sessions");
        String recorded;
        try (ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE key = '" + SOURCE_KEY + "'")) {
            recorded = rs.next() ? rs.getString(1) : null;
        }
        if (copied > 0 && !source.equals(recorded)) {
            say.accept(file + ": the sessions changed since an earlier start began regrouping them"
                    + " (an older runner ran in between): regrouping them again from the first");
            st.executeUpdate("DELETE FROM sessions_v4");
            copied = 0;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, SOURCE_KEY);
            ps.setString(2, source);
            ps.executeUpdate();
        }
        return copied;
    }

    private void copyAll(long total, long copied, long began) throws SQLException {
        long lastSaid = began;
        for (int rows = copyBatch(); rows >= 0; rows = copyBatch()) {
            copied += rows;
            long now = nanoTime.getAsLong();
            if (now - lastSaid >= PROGRESS_EVERY_NANOS) {
                say.accept(file + ": " + copied + " of " + total + " sessions regrouped");
                lastSaid = now;
            }
        }
    }

    /** Copies one batch of whole profiles in a transaction of its own: its rows, -1 when what is left is less. */
    private int copyBatch() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                int rows = copyBatchInTransaction();
                st.execute("COMMIT");
                return rows;
            } catch (SQLException | RuntimeException e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    private int copyBatchInTransaction() throws SQLException {
        String last;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(LAST_COPIED)) {
            last = rs.next() ? rs.getString(1) : null;
        }
        String end;
        try (PreparedStatement ps = connection.prepareStatement(BATCH_END)) {
            ps.setString(1, last);
            ps.setInt(2, batchRows - 1);
            try (ResultSet rs = ps.executeQuery()) {
                end = rs.next() ? rs.getString(1) : null;
            }
        }
        if (end == null) {
            return -1;
        }
        try (PreparedStatement ps = connection.prepareStatement(COPY)) {
            ps.setString(1, last);
            ps.setString(2, end);
            return ps.executeUpdate();
        }
    }

    private static long count(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The CREATE TABLE IF NOT EXISTS of V4: the table's shape is written once, in the migration. */
    private static String firstStatementOfV4() {
        String first = SqliteMigrations.statements(SqliteMigrations.load(SqliteMigrations.REGROUPED)).get(0);
        if (!first.startsWith("CREATE TABLE IF NOT EXISTS sessions_v4")) {
            throw new IllegalStateException(SqliteMigrations.REGROUPED + " must begin by creating sessions_v4");
        }
        return first;
    }
}
