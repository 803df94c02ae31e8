package io.smartrunner.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventRecord;
import io.smartrunner.profile.ProfileState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link StateStore} in a PostgreSQL database, for cluster mode (docs/cluster.md). A small
 * HikariCP pool; each {@link #write} is one transaction of batched upserts. The schema is
 * migrated on open ({@link PostgresMigrations}); one that is newer than this runner is refused.
 *
 * <p>The database is shared by a fleet, the runner id is not: each runner has a row in
 * {@code runners} under its name, holding the id its sessions' environments carry, created on
 * its first start and kept. Sessions are written with that runner's name, and
 * {@link #openSessions} returns only its own (another runner's pids mean nothing here).
 * Thread-safe: writes are serialised, reads run on any pooled connection.
 * <p>Over 250 lines because it implements the whole {@link StateStore} contract (profiles,
 * sessions, ladder statistics, runner row) in one transaction boundary; the SQL and row mapping
 * already live in PostgresRows and LadderStatsTable.
 */
public final class PostgresStateStore implements StateStore {
    /** A write waits this long by default (the default watchdog's {@code ClusterSettings.storeWaitMs}). */
    public static final int DEFAULT_WAIT_MS = 1_000;
    /** How long one login (TCP connect, TLS, authentication) may take, as the driver's {@code loginTimeout}. */
    static final String LOGIN_TIMEOUT_SECONDS = "10";
    /**
     * How long a read waits for each answer of the server (the driver's {@code socketTimeout}, every
     * pooled connection's default; a write sets its own, shorter, {@link #answersWithin}). Without it a
     * read of a frozen or cut-off server (a SIGSTOPped or paused VM, a dropped route) waited for TCP to
     * give up, hours: {@code events}, {@code status}, the fleet's {@code /api/events} and
     * {@code /api/profiles} hung with it. Every read here is an index range or a page: seconds at worst.
     */
    static final int READ_WAIT_SECONDS = 30;

    private final String where;
    private final String runnerName;
    private final HikariDataSource pool;
    /** The heartbeat thread's own connection: membership, leases, pod slots ({@link DirectConnection}). */
    private final DirectConnection heartbeatConnection;
    private final String runnerId;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final SessionRetention retention;
    private volatile boolean closed;
    /** How long a write waits for a pooled connection, and for each answer of the server. */
    private final int waitMs;
    /** Cluster mode with leases: which profiles' rows may be written ({@link #fence}); null = all. */
    private volatile WriteFence fence;

    private PostgresStateStore(String where, String runnerName, HikariDataSource pool, DirectConnection heartbeat,
                               int sessionsKept, int waitMs, SchemaUpgrade upgrade) {
        this.where = where;
        this.heartbeatConnection = heartbeat;
        this.waitMs = waitMs;
        this.runnerName = runnerName;
        this.pool = pool;
        this.retention = new SessionRetention(sessionsKept);
        try (Connection c = pool.getConnection()) {
            // an upgrade's index of a big table sends nothing until it is built: no bound on its answer
            c.setNetworkTimeout(Runnable::run, 0);
            PostgresMigrations.migrate(c, where, upgrade);
            runnerId = registerRunner(c, runnerName);
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /**
     * Connects, migrates and registers {@code runnerName}.
     *
     * @throws StoreException one line naming host:port and why, when the database cannot be
     *                        reached or its schema is newer than this runner
     */
    public static PostgresStateStore open(StoreSettings settings, String runnerName) {
        return open(settings, runnerName, RunnerSettings.DEFAULT_SESSIONS_KEPT_PER_PROFILE);
    }

    /** As {@link #open(StoreSettings, String)}, keeping each profile's newest {@code sessionsKept} ended sessions. */
    public static PostgresStateStore open(StoreSettings settings, String runnerName, int sessionsKept) {
        return open(settings, runnerName, sessionsKept, DEFAULT_WAIT_MS);
    }

    /**
     * As {@link #open(StoreSettings, String, int)}; a request for a pooled connection waits at most
     * {@code waitMs}, and a write waits at most that long for each answer of the server (a connection
     * that hangs, a server stopped or cut off): the engine loop writes on its own thread, and must
     * keep turning through an outage (ClusterSettings.storeWaitMs says how long).
     */
    public static PostgresStateStore open(StoreSettings settings, String runnerName, int sessionsKept, long waitMs) {
        return open(settings, runnerName, sessionsKept, waitMs, SchemaUpgrade.by(line -> { }));
    }

    /** As {@link #open(StoreSettings, String, int, long)}, upgrading an older schema only as {@code upgrade} says. */
    public static PostgresStateStore open(StoreSettings settings, String runnerName, int sessionsKept, long waitMs,
                                          SchemaUpgrade upgrade) {
        return open(settings, runnerName, sessionsKept, waitMs, upgrade, READ_WAIT_SECONDS);
    }

    /** As above, a read waiting at most {@code readWaitSeconds} for each answer (tests shorten it). */
    static PostgresStateStore open(StoreSettings settings, String runnerName, int sessionsKept, long waitMs,
                                   SchemaUpgrade upgrade, int readWaitSeconds) {
        String where = "PostgreSQL at " + settings.hostPort();
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(settings, waitMs, readWaitSeconds));
        } catch (RuntimeException e) {
            throw PostgresErrors.cannotConnect(where, e, settings.password());
        }
        try {
            return new PostgresStateStore(where, runnerName, pool, new DirectConnection(settings), sessionsKept,
                    (int) waitMs, upgrade);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * How long the server lets a connection of Smart Runner sit inside a transaction without a
     * statement before it ends the session, rolling back and releasing its locks. Every transaction
     * here sends its statements back to back, so only a frozen client gets near it (SIGSTOP,
     * Ctrl-Z on a command, a paused VM): without it, the lease and profile rows it had locked would
     * stay locked until it ran again or TCP gave up (hours), and the runner taking its profiles over
     * at the TTL (15 s by default) could not write them. A client that does run again finds its
     * transaction gone and its write failed, as after any failed write (retried; fenced by epoch).
     */
    static final long IDLE_IN_TRANSACTION_MS = 5_000;

    /**
     * Run on each new connection: a SET, not the {@code options} startup parameter, which a
     * connection pooler in front of the server (PgBouncer) refuses unless told to ignore it.
     */
    static final String SESSION_SETUP = "SET idle_in_transaction_session_timeout = " + IDLE_IN_TRANSACTION_MS;

    static HikariConfig poolConfig(StoreSettings settings, long waitMs, int readWaitSeconds) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("sr-postgres");
        config.setJdbcUrl(settings.url());
        config.setDriverClassName("org.postgresql.Driver");
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(1, settings.poolSize()));
        // HikariCP's floor is 250 ms; its validation of an idle connection must take less than the wait
        config.setConnectionTimeout(Math.max(250, waitMs));
        config.setValidationTimeout(Math.max(250, waitMs / 2));
        // fail at once when the first connection cannot be made: the runner must not start blind
        config.setInitializationFailTimeout(1);
        config.addDataSourceProperty("connectTimeout", "5");
        // a server that accepts the TCP connection but never answers must not hold a login for good:
        // HikariCP's own login timeout is a JVM-wide DriverManager setting, absent on the first connection
        config.addDataSourceProperty("loginTimeout", LOGIN_TIMEOUT_SECONDS);
        config.addDataSourceProperty("socketTimeout", String.valueOf(readWaitSeconds));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", "smart-runner");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        config.setConnectionInitSql(SESSION_SETUP);
        return config;
    }

    private static String registerRunner(Connection c, String name) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO runners (name, runner_id) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            insert.setString(1, name);
            insert.setString(2, UUID.randomUUID().toString());
            insert.executeUpdate();
        }
        try (PreparedStatement select = c.prepareStatement("SELECT runner_id FROM runners WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Override
    public Map<String, ProfileState> loadProfiles() {
        return query(c -> {
            Map<String, ProfileState> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(PostgresRows.SELECT_PROFILES);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ProfileState p = PostgresRows.profile(rs);
                    out.put(p.profileId(), p);
                }
            }
            return out;
        });
    }

    @Override
    public List<SessionRecord> openSessions() {
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement(PostgresRows.SELECT_OPEN_SESSIONS)) {
                ps.setString(1, runnerName);
                return sessions(ps);
            }
        });
    }

    @Override
    public String processIdentity() {
        return runnerName;
    }

    /**
     * The database's clock, the cluster's wall clock: a command that writes a pause for a profile
     * no runner holds dates it by this, as the runners do (io.smartrunner.cluster.DatabaseClock).
     */
    public java.time.Instant databaseNow() {
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()");
                 java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            }
        });
    }

    /** Other runners write profiles' last instants too: only this runner's session rows say where its log is. */
    @Override
    public java.util.Optional<java.time.Instant> ownSessionsInSyncSince() {
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement(PostgresRows.SELECT_OWN_NEWEST)) {
                ps.setString(1, runnerName);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    java.sql.Timestamp ts = rs.next() ? rs.getTimestamp(1) : null;
                    return java.util.Optional.ofNullable(ts == null ? null : ts.toInstant());
                }
            }
        });
    }

    /** A row (this runner's, closed by a lease's next holder, or pruned later) or an end in the fleet's log. */
    @Override
    public java.util.Set<String> recordedElsewhere(java.util.Collection<String> sessionIds) {
        if (sessionIds.isEmpty()) {
            return java.util.Set.of();
        }
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement(PostgresRows.SELECT_RECORDED)) {
                java.sql.Array ids = c.createArrayOf("text", sessionIds.toArray());
                ps.setArray(1, ids);
                ps.setArray(2, ids);
                java.util.Set<String> known = new java.util.HashSet<>();
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        known.add(rs.getString(1));
                    }
                }
                return known;
            }
        });
    }

    @Override
    public List<SessionRecord> recentSessions(String profileId, int limit) {
        return query(c -> {
            try (PreparedStatement ps = c.prepareStatement(PostgresRows.SELECT_RECENT_SESSIONS)) {
                ps.setString(1, profileId);
                ps.setInt(2, Math.max(0, limit));
                return sessions(ps);
            }
        });
    }

    @Override
    public void write(StateWrite write) {
        if (write.isEmpty()) {
            return;
        }
        inTransaction(c -> writeIn(c, write));
    }

    private void writeIn(Connection c, StateWrite write) throws SQLException {
        WriteFence f = fence;
        if (f != null) {
            write = FencedRows.admitted(c, write, f);
        }
        try (PreparedStatement profiles = c.prepareStatement(PostgresRows.UPSERT_PROFILE);
             PreparedStatement sessions = c.prepareStatement(PostgresRows.UPSERT_SESSION);
             PreparedStatement prune = c.prepareStatement(PostgresRows.PRUNE_SESSIONS)) {
            for (ProfileState p : write.profiles()) {
                PostgresRows.bindProfile(profiles, p, runnerName);
                profiles.addBatch();
            }
            profiles.executeBatch();
            List<String> due = new ArrayList<>();
            for (SessionRecord s : write.sessions()) {
                PostgresRows.bindSession(sessions, s, runnerName);
                sessions.addBatch();
                if (retention.pruneDue(s)) {
                    due.add(s.profileId());
                }
            }
            sessions.executeBatch();
            for (String profileId : due) {
                prune.setString(1, profileId);
                prune.setInt(2, retention.skipped());
                prune.executeUpdate();
            }
        }
    }

    /**
     * One profile's row changed without a runner of this data dir (the offline controls), fenced
     * like a holder's write: in one transaction the profile's lease row is locked FOR UPDATE (an
     * acquisition skips it meanwhile, a holder's fenced write waits, and whoever takes the lease
     * next reads the row written here). If a live runner holds the lease nothing is written and its
     * name is returned: the change must go through that runner, or its next write of the profile
     * would overwrite this one. Otherwise {@code change} gets the profile's row (null: none yet)
     * and what it returns is written, the row and its events in the fleet's {@code events} table
     * under {@code writer}, with this transaction; what it throws aborts the transaction.
     *
     * @param ttlMs  the lease TTL: a holder whose heartbeat is older is not live
     * @param writer the events' writer in the table: not a runner's name ({@link PostgresEvents#insertIn})
     * @return the live holder's name (its {@code runner.name}), empty when the change was written
     */
    public Optional<String> changeUnlessHeld(String profileId, long ttlMs, String writer, Function<ProfileState, ProfileChange> change) {
        return Optional.ofNullable(changeEachUnlessHeld(List.of(profileId), ttlMs, writer, (id, row) -> change.apply(row))
                .get(profileId));
    }

    /**
     * {@link #changeUnlessHeld} for several profiles in one transaction (a pod's controls): their
     * lease rows locked in id order, each profile no live runner holds given to {@code change}
     * (its row, null when none yet) and what that returns written (null: nothing for that one),
     * each held one left alone. What {@code change} throws aborts the whole transaction.
     *
     * @return the profiles a live runner holds, each with that runner's name
     */
    public Map<String, String> changeEachUnlessHeld(List<String> profileIds, long ttlMs, String writer,
                                                    java.util.function.BiFunction<String, ProfileState, ProfileChange> change) {
        return changeEachUnlessHeld(profileIds, ttlMs, writer, change, changes -> { });
    }

    /**
     * {@link #changeEachUnlessHeld}, with {@code beforeWrite} told the changes inside the transaction,
     * before any is written (the offline commands append their events to the data dir's log there:
     * event first, then state); what it throws aborts the transaction.
     */
    public Map<String, String> changeEachUnlessHeld(List<String> profileIds, long ttlMs, String writer,
                                                    java.util.function.BiFunction<String, ProfileState, ProfileChange> change,
                                                    java.util.function.Consumer<List<ProfileChange>> beforeWrite) {
        Map<String, String> held = new LinkedHashMap<>();
        Object[] ids = new java.util.TreeSet<>(profileIds).toArray();
        try {
            changeEachUnlessHeldIn(ids, held, ttlMs, writer, change, beforeWrite);
        } catch (StoreException e) {
            if (!(e.getCause() instanceof SQLException sql) || !LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                throw e;
            }
            // A row stayed locked past the wait: a runner's write in progress, or one frozen inside its
            // transaction (SIGSTOP, a paused VM; the server ends that transaction after
            // idle_in_transaction_session_timeout). Either way some runner is at it: the controls go to
            // the holder (queued until it, or whoever takes the profile, applies them), never waiting here
            // until this store's wait fails the whole change (session 41: "cannot be recorded: timed out").
            held.clear();
            held.putAll(holders(ids));
        }
        return held;
    }

    /** SQLSTATE lock_not_available: {@code lock_timeout} ran out. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** Who holds each lease as last committed (no lock taken); a lease without a holder names "another writer". */
    private Map<String, String> holders(Object[] ids) {
        return query(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT p.id, COALESCE(r.member_name, l.holder)"
                    + " FROM unnest(?::text[]) AS p(id) LEFT JOIN leases l ON l.profile_id = p.id"
                    + " LEFT JOIN runners r ON r.name = l.holder ORDER BY p.id")) {
                ps.setArray(1, c.createArrayOf("text", ids));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String holder = rs.getString(2);
                        out.put(rs.getString(1), holder == null ? "another writer" : holder);
                    }
                }
            }
            return out;
        });
    }

    private void changeEachUnlessHeldIn(Object[] ids, Map<String, String> held, long ttlMs, String writer,
                                        java.util.function.BiFunction<String, ProfileState, ProfileChange> change,
                                        java.util.function.Consumer<List<ProfileChange>> beforeWrite) {
        inTransaction(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                // below the wait for each answer, so a locked row is said as such, not as a timeout
                st.execute("SET LOCAL lock_timeout = " + Math.max(100, waitMs / 2));
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO leases (profile_id) SELECT unnest(?)"
                    + " ON CONFLICT (profile_id) DO NOTHING")) {
                ps.setArray(1, c.createArrayOf("text", ids));
                ps.executeUpdate();
            }
            Map<String, String> holders = new java.util.HashMap<>();
            Map<String, Long> incarnations = new java.util.HashMap<>();
            // in id order, so two of these never wait for each other's rows in a cycle
            try (PreparedStatement ps = c.prepareStatement("SELECT l.profile_id, COALESCE(r.member_name, l.holder),"
                    + " l.holder_incarnation FROM leases l LEFT JOIN runners r ON r.name = l.holder"
                    + " WHERE l.profile_id = ANY(?) ORDER BY l.profile_id FOR UPDATE OF l")) {
                ps.setArray(1, c.createArrayOf("text", ids));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Long incarnation = (Long) rs.getObject(3);
                        if (incarnation != null) {
                            holders.put(rs.getString(1), rs.getString(2));
                            incarnations.put(rs.getString(1), incarnation);
                        }
                    }
                }
            }
            Set<Long> live = incarnations.isEmpty() ? Set.of()
                    : PostgresLeases.liveLocked(c, new java.util.HashSet<>(incarnations.values()), ttlMs);
            List<String> unheld = new ArrayList<>();
            for (Object o : ids) {
                String id = (String) o;
                Long incarnation = incarnations.get(id);
                if (incarnation != null && live.contains(incarnation)) {
                    held.put(id, holders.get(id));
                } else {
                    unheld.add(id);
                }
            }
            if (unheld.isEmpty()) {
                return;
            }
            Map<String, ProfileState> rows = TakeoverRows.profiles(c, unheld);
            List<ProfileChange> changes = new ArrayList<>();
            for (String id : unheld) {
                ProfileChange next = change.apply(id, rows.get(id));
                if (next != null) {
                    changes.add(next);
                }
            }
            if (changes.isEmpty()) {
                return;
            }
            beforeWrite.accept(changes);
            try (PreparedStatement ps = c.prepareStatement(PostgresRows.UPSERT_PROFILE)) {
                for (ProfileChange next : changes) {
                    PostgresRows.bindProfile(ps, next.state(), null);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // A holder that is not live may come back before anyone takes its lease, at the same epoch,
            // with this profile's old state in memory: its next fenced write would take this change
            // back. Freed and its epoch bumped, the lease is lost to it (its pending rows refused as
            // stale), and whoever takes it next, itself included, reads the row written here.
            try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET holder = NULL, holder_incarnation = NULL,"
                    + " acquired_at = NULL, epoch = epoch + 1 WHERE profile_id = ANY(?) AND holder_incarnation IS NOT NULL")) {
                ps.setArray(1, c.createArrayOf("text", changes.stream().map(ch -> ch.state().profileId()).toArray()));
                ps.executeUpdate();
            }
            PostgresEvents.insertIn(c, writer, changes.stream().flatMap(ch -> ch.events().stream()).toList());
        });
    }

    /**
     * Removes profiles no runner runs any more from the fleet's store, all or none
     * ({@link ForgottenProfiles}).
     *
     * @return each refused profile's reason; empty when all were forgotten
     */
    public Map<String, String> forgetProfiles(List<String> profileIds, long ttlMs, String writer,
                                              Function<ForgottenProfiles.Forgotten, List<EventRecord>> closing,
                                              java.util.function.Consumer<List<EventRecord>> beforeWrite) {
        Map<String, String> refused = new LinkedHashMap<>();
        inTransaction(c -> refused.putAll(ForgottenProfiles.forgetIn(c, profileIds, ttlMs, writer, closing,
                beforeWrite)));
        return refused;
    }

    @Override
    public List<LadderStat> loadLadderStats() {
        return query(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                return LadderStatsTable.load(st);
            }
        });
    }

    @Override
    public void writeLadderStats(List<LadderStat> stats) {
        if (stats.isEmpty()) {
            return;
        }
        inTransaction(c -> LadderStatsTable.write(c, stats));
    }

    @Override
    public String runnerId() {
        return runnerId;
    }

    /** Cluster membership in this database, for this runner's row. */
    public PostgresMembers members() {
        return new PostgresMembers(pool, heartbeatConnection, where, runnerName);
    }

    /** The leases of this database, for this runner's row. */
    public PostgresLeases leases() {
        return new PostgresLeases(heartbeatConnection, where, runnerName);
    }

    /**
     * From now on every write about a profile goes in only where this runner holds the profile's
     * lease at the epoch {@code f} says (checked in the write's transaction, with the lease rows
     * locked FOR SHARE so no acquisition commits in between); other rows are skipped and told to {@code f}.
     */
    public void fence(WriteFence f) {
        this.fence = f;
    }

    /** The fleet's event log in this database (cluster mode's fleet view). */
    public PostgresEvents events() {
        return new PostgresEvents(pool, where, waitMs);
    }

    /** Manual controls relayed between the fleet's runners. */
    public PostgresControls controls() {
        return new PostgresControls(pool, where);
    }

    /**
     * Every profile of the fleet with the runner it is on.
     *
     * @param ttlMs the lease TTL: a holder whose heartbeat is older does not count as the profile's runner
     */
    public PostgresFleetProfiles fleetProfiles(long ttlMs) {
        return new PostgresFleetProfiles(pool, where, ttlMs);
    }

    /** The name this store writes sessions under and keeps the runner id for. */
    public String runnerName() {
        return runnerName;
    }

    @Override
    public void close() {
        closed = true;
        heartbeatConnection.close();
        pool.close();
    }

    private List<SessionRecord> sessions(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<SessionRecord> out = new ArrayList<>();
            while (rs.next()) {
                out.add(PostgresRows.session(rs));
            }
            return out;
        }
    }

    private <T> T query(SqlWork<T> work) {
        if (closed) {
            throw new IllegalStateException(where + ": state store is closed");
        }
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /** One writer at a time, one transaction: all of {@code work} or, on any failure, none of it. */
    private void inTransaction(SqlUpdate work) {
        writeLock.lock();
        try {
            query(c -> {
                answersWithin(c, waitMs);
                return PostgresTransaction.run(c, t -> {
                    work.run(t);
                    return null;
                });
            });
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * A server answer this connection waits for longer than {@code ms} fails the statement (the
     * socket's timeout; the pool resets it when the connection is given back). Without it a
     * statement on a connection to a stopped or unreachable server waits for TCP to give up.
     */
    static void answersWithin(Connection c, int ms) throws SQLException {
        c.setNetworkTimeout(Runnable::run, ms);
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface SqlUpdate {
        void run(Connection c) throws SQLException;
    }
}
