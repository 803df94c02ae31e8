package io.smartrunner.store;

import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.profile.ProfileState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * {@link StateStore} in one SQLite file, the single-machine default. WAL mode, so other processes
 * (the CLI's {@code status}) read while the runner writes; one connection behind a lock in this
 * process. Each {@link #write} is one {@code BEGIN IMMEDIATE} transaction of reused prepared upserts.
 * Of each profile's ended sessions only the newest {@link RunnerSettings#sessionsKeptPerProfile} are
 * kept ({@link SessionRetention}), so a fleet restarting hundreds of sessions a second does not
 * grow the file without bound. The WAL is copied back into the file by {@link SqliteCheckpointer},
 * off the writing thread.
 * Thread-safe.
 * <p>Over 250 lines because it implements the whole {@link StateStore} contract with SQLite's
 * locking and read-only modes; SQL, migrations and errors already live in SqliteRows,
 * SqliteMigrations and SqliteErrors.
 */
public final class SqliteStateStore implements StateStore {
    public static final int DEFAULT_BUSY_TIMEOUT_MS = 2000;
    /** The {@code meta} key {@code import-state} marks a store it copied into a fleet with ({@link #importedInto}). */
    public static final String IMPORTED_INTO = "imported_into";
    /**
     * The WAL is cut back to this when it starts over: bounds the disk it keeps, yet big enough
     * that a fleet's second of commits reuses its blocks rather than allocating new ones.
     */
    static final long WAL_KEPT_BYTES = 64L << 20;
    /** Where the store's own thread says things when its opener names no place. */
    private static final Consumer<String> STDERR = line -> System.err.println("smart-runner: " + line);

    private final String file;
    private final Connection connection;
    private final boolean readOnly;
    private final String runnerId;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Statement> statements = new ArrayList<>();
    private Statement control;
    private PreparedStatement upsertProfile;
    private PreparedStatement upsertSession;
    private PreparedStatement updateSession;
    private PreparedStatement pruneSessions;
    private SessionRetention retention;
    private SqliteCheckpointer checkpointer;
    private boolean closed;

    private SqliteStateStore(Path dbFile, Connection connection, boolean readOnly, int sessionsKept,
                             Consumer<String> say) {
        this.file = dbFile.toString();
        this.connection = connection;
        this.readOnly = readOnly;
        try {
            control = track(connection.createStatement());
            if (readOnly) {
                SqliteMigrations.requireCurrent(connection, file);
            } else {
                SqliteMigrations.migrate(connection, file, say);
                control.executeUpdate("INSERT INTO meta (key, value) VALUES ('runner_id', '"
                        + UUID.randomUUID() + "') ON CONFLICT (key) DO NOTHING");
                prepareWrites();
                retention = new SessionRetention(sessionsKept);
            }
            runnerId = SqliteConnector.queryString(control, "SELECT value FROM meta WHERE key = 'runner_id'");
        } catch (SQLException | RuntimeException e) {
            SqliteConnector.closeQuietly(connection, e);
            throw e instanceof SQLException ? SqliteErrors.wrap(file, (SQLException) e) : (RuntimeException) e;
        }
    }

    /** Opens (creating it and its directories if needed) and migrates the store at {@code dbFile}. */
    public static SqliteStateStore open(Path dbFile, SqliteSynchronous sync) {
        return open(dbFile, sync, STDERR);
    }

    /** As {@link #open(Path, SqliteSynchronous)}; {@code say} gets what the store's own thread has to say. */
    public static SqliteStateStore open(Path dbFile, SqliteSynchronous sync, Consumer<String> say) {
        return open(dbFile, sync, DEFAULT_BUSY_TIMEOUT_MS, RunnerSettings.DEFAULT_SESSIONS_KEPT_PER_PROFILE,
                SqliteCheckpointer.DEFAULT_DELAY_MS, say);
    }

    /** As {@link #open(Path, SqliteSynchronous, Consumer)}, keeping each profile's newest {@code sessionsKept} ended sessions. */
    public static SqliteStateStore open(Path dbFile, SqliteSynchronous sync, int sessionsKept, Consumer<String> say) {
        return open(dbFile, sync, DEFAULT_BUSY_TIMEOUT_MS, sessionsKept, SqliteCheckpointer.DEFAULT_DELAY_MS, say);
    }

    static SqliteStateStore open(Path dbFile, SqliteSynchronous sync, int busyTimeoutMs, int sessionsKept) {
        return open(dbFile, sync, busyTimeoutMs, sessionsKept, SqliteCheckpointer.DEFAULT_DELAY_MS, STDERR);
    }

    static SqliteStateStore open(Path dbFile, SqliteSynchronous sync, int busyTimeoutMs, int sessionsKept,
                                 long checkpointDelayMs, Consumer<String> say) {
        Connection connection = SqliteConnector.openReadWrite(dbFile, sync, busyTimeoutMs);
        SqliteStateStore store = new SqliteStateStore(dbFile, connection, false, sessionsKept, say);
        try {
            store.pragma("wal_autocheckpoint = 0"); // the checkpointer's thread does it, never a commit
            store.pragma("journal_size_limit = " + WAL_KEPT_BYTES);
            store.checkpointer = SqliteCheckpointer.start(dbFile, sync, checkpointDelayMs, say, store.lock);
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Opens an existing store for reading only (the CLI while a runner may be running); never
     * migrates or creates. {@link #write} then throws.
     */
    /**
     * The store's schema version when it is older than this release's, else empty (a new store, the
     * current one, a newer one: opening it says so). An offline control command must not be what
     * upgrades it for good (reviewer R19: a {@code pause} left the older release's service unable to start).
     */
    public static java.util.OptionalInt olderSchema(Path dbFile) {
        try (Connection c = SqliteConnector.openReadOnly(dbFile, DEFAULT_BUSY_TIMEOUT_MS)) {
            int version = SqliteMigrations.currentVersion(c);
            return version > 0 && version < SqliteMigrations.LATEST ? java.util.OptionalInt.of(version)
                    : java.util.OptionalInt.empty();
        } catch (SQLException e) {
            throw SqliteErrors.wrap(dbFile.toString(), e);
        }
    }

    public static SqliteStateStore openReadOnly(Path dbFile) {
        return openReadOnly(dbFile, DEFAULT_BUSY_TIMEOUT_MS);
    }

    static SqliteStateStore openReadOnly(Path dbFile, int busyTimeoutMs) {
        Connection connection = SqliteConnector.openReadOnly(dbFile, busyTimeoutMs);
        return new SqliteStateStore(dbFile, connection, true, RunnerSettings.DEFAULT_SESSIONS_KEPT_PER_PROFILE, STDERR);
    }

    @Override
    public Map<String, ProfileState> loadProfiles() {
        return locked(() -> {
            Map<String, ProfileState> out = new LinkedHashMap<>();
            try (ResultSet rs = control.executeQuery(SqliteRows.SELECT_PROFILES)) {
                while (rs.next()) {
                    ProfileState p = SqliteRows.profile(rs);
                    out.put(p.profileId(), p);
                }
            }
            return out;
        });
    }

    @Override
    public List<SessionRecord> openSessions() {
        return locked(() -> sessions(connection.prepareStatement(SqliteRows.SELECT_OPEN_SESSIONS)));
    }

    @Override
    public List<SessionRecord> recentSessions(String profileId, int limit) {
        return locked(() -> {
            PreparedStatement ps = connection.prepareStatement(SqliteRows.SELECT_RECENT_SESSIONS);
            ps.setString(1, profileId);
            ps.setInt(2, Math.max(0, limit));
            return sessions(ps);
        });
    }

    @Override
    public void write(StateWrite write) {
        if (readOnly) {
            throw new StoreException(file + ": opened read-only, cannot write", null);
        }
        if (write.isEmpty()) {
            return;
        }
        locked(() -> {
            control.execute("BEGIN IMMEDIATE");
            try {
                for (ProfileState p : write.profiles()) {
                    SqliteRows.bindProfile(upsertProfile, p);
                    upsertProfile.executeUpdate();
                }
                for (SessionRecord s : write.sessions()) {
                    if (!updated(s)) {
                        SqliteRows.bindSession(upsertSession, s);
                        upsertSession.executeUpdate();
                    }
                    if (retention.pruneDue(s)) {
                        pruneSessions.setString(1, s.profileId());
                        pruneSessions.setInt(2, retention.skipped());
                        pruneSessions.executeUpdate();
                    }
                }
                control.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(e);
                prepareWritesAgain(e);
                throw e;
            }
            checkpointer.wrote();
            return null;
        });
    }

    /**
     * Whether {@code s} was written by updating its row in place: a session's pid or its end (a
     * start without a pid is a new row, inserted by the caller without looking first).
     */
    private boolean updated(SessionRecord s) throws SQLException {
        if (s.status() == SessionRecord.Status.RUNNING && s.pid() == 0) {
            return false;
        }
        SqliteRows.bindSession(updateSession, s);
        return updateSession.executeUpdate() == 1;
    }

    @Override
    public List<LadderStat> loadLadderStats() {
        return locked(() -> LadderStatsTable.load(control));
    }

    @Override
    public void writeLadderStats(List<LadderStat> stats) {
        if (readOnly) {
            throw new StoreException(file + ": opened read-only, cannot write", null);
        }
        if (stats.isEmpty()) {
            return;
        }
        locked(() -> {
            control.execute("BEGIN IMMEDIATE");
            try {
                LadderStatsTable.write(connection, stats);
                control.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(e);
                throw e;
            }
            checkpointer.wrote();
            return null;
        });
    }

    /**
     * Where {@code import-state} copied this store's state, and when; null when it never did. A
     * runner, the controls and {@code rebuild-state} refuse such a store: its profiles run in the fleet now.
     */
    public String importedInto() {
        return meta(IMPORTED_INTO);
    }

    /** The {@code meta} table's value for {@code key}, or null. */
    public String meta(String key) {
        return locked(() -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Sets {@code key} in the {@code meta} table, or deletes it when {@code value} is null. */
    public void putMeta(String key, String value) {
        if (readOnly) {
            throw new StoreException(file + ": opened read-only, cannot write", null);
        }
        locked(() -> {
            try (PreparedStatement ps = connection.prepareStatement(value == null ? "DELETE FROM meta WHERE key = ?"
                    : "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
                ps.setString(1, key);
                if (value != null) {
                    ps.setString(2, value);
                }
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public String runnerId() {
        return runnerId;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (checkpointer != null) {
                    checkpointer.close(); // first: the store's connection, closed last, checkpoints what is left
                }
            } finally {
                for (Statement st : statements) {
                    st.close();
                }
                connection.close();
            }
        } catch (SQLException e) {
            throw SqliteErrors.wrap(file, e);
        } finally {
            lock.unlock();
        }
    }

    /** Sets the runner id to a rebuilt store's predecessor's (see {@link StateRebuild}). */
    void keepRunnerId(String id) {
        locked(() -> {
            StateRebuild.keepRunnerId(connection, id);
            return null;
        });
    }

    /** Checkpoints on the calling thread (tests). */
    void checkpointNow() {
        checkpointer.checkpointNow();
    }

    /** Waits for the store's own thread to complete {@code count} checkpoints (tests). */
    boolean awaitCheckpoints(long count, long timeoutMs) throws InterruptedException {
        return checkpointer.awaitCheckpoints(count, timeoutMs);
    }

    /** A pragma's value on this store's connection (tests check the settings took effect). */
    String pragma(String name) {
        return locked(() -> SqliteConnector.queryString(control, "PRAGMA " + name));
    }

    private List<SessionRecord> sessions(PreparedStatement ps) throws SQLException {
        try (ps; ResultSet rs = ps.executeQuery()) {
            List<SessionRecord> out = new ArrayList<>();
            while (rs.next()) {
                out.add(SqliteRows.session(rs));
            }
            return out;
        }
    }

    private void prepareWrites() throws SQLException {
        upsertProfile = track(connection.prepareStatement(SqliteRows.UPSERT_PROFILE));
        upsertSession = track(connection.prepareStatement(SqliteRows.UPSERT_SESSION));
        updateSession = track(connection.prepareStatement(SqliteRows.UPDATE_SESSION));
        pruneSessions = track(connection.prepareStatement(SqliteRows.PRUNE_SESSIONS));
    }

    /**
     * After a failed write. sqlite-jdbc finalizes a prepared statement whose step fails with
     * anything but BUSY, LOCKED, MISUSE or CONSTRAINT (a full disk, an I/O error): kept, it would
     * fail every later write ("statement is not executing") long after the disk had room again.
     * A failure here leaves them closed, and the next failed write tries again.
     */
    private void prepareWritesAgain(Exception cause) {
        for (Statement st : new Statement[] {upsertProfile, upsertSession, updateSession, pruneSessions}) {
            statements.remove(st);
            try {
                st.close();
            } catch (SQLException suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
        try {
            prepareWrites();
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    private <T extends Statement> T track(T statement) {
        statements.add(statement);
        return statement;
    }

    private void rollbackQuietly(Exception cause) {
        try {
            control.execute("ROLLBACK");
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    private <T> T locked(SqlWork<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException(file + ": state store is closed");
            }
            return work.run();
        } catch (SQLException e) {
            throw SqliteErrors.wrap(file, e);
        } finally {
            lock.unlock();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }
}
