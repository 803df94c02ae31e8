package io.smartrunner.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema migrations for the PostgreSQL store, the same way as {@link SqliteMigrations}:
 * resources {@code db/postgres/V<n>__<name>.sql} listed below, applied in order, recorded in
 * {@code schema_version}. All of it runs in one transaction (PostgreSQL's DDL is transactional)
 * under a transaction-scoped advisory lock, so runners starting together against a new database
 * migrate it once and the others wait, then find it current.
 *
 * <p>Hand-rolled rather than Flyway: the store needs exactly this (ordered files, one version
 * table, refuse a newer schema), which the SQLite store already does in 130 lines; Flyway 13
 * would add about 1 MB of jars (commons-text, commons-lang3 and its own Jackson modules beside
 * ours) and by default ignores migrations newer than the binary, the one case that must stop a
 * runner.
 */
final class PostgresMigrations {
    /** Append only: never edit a migration that has shipped. */
    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__ladder_stats.sql", "V3__membership.sql",
            "V4__leases.sql", "V5__fleet_view.sql", "V6__pod_slots.sql", "V7__profile_sets.sql",
            "V8__profile_last_runner.sql", "V9__event_incarnation.sql", "V10__lease_epochs.sql",
            "V11__runner_lease_ttl.sql", "V12__runner_forgotten.sql",
            "V13__runner_fleet_config.sql");

    static final int LATEST = MIGRATIONS.size();

    /** Any constant: the lock is per database, taken only while migrating. */
    private static final long MIGRATION_LOCK = 0x5352_4D49_4752_4154L;

    private PostgresMigrations() {
    }

    /**
     * How long one attempt waits for a table's lock. A DDL statement waiting for its lock queues
     * every later statement on that table behind it: without a bound, a {@code pg_dump} or an open
     * transaction (psql) held the whole fleet's heartbeats and writes for as long as it ran, and the
     * runners of the older release fenced themselves (reviewer R4, 35 s). With it, the others wait
     * at most this long per attempt.
     */
    static final long LOCK_WAIT_MS = 1_000;
    /** Between attempts, while something holds a lock the upgrade needs. */
    static final long RETRY_MS = 3_000;

    /** SQLSTATE lock_not_available. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /**
     * Brings the schema up to {@link #LATEST}; a no-op when it already is. A new database is set up
     * whatever {@code upgrade} says; an older schema only when it allows (else refused, nothing
     * changed), said before and after, and retried while a lock it needs is held (said once, naming
     * who holds it).
     */
    static void migrate(Connection connection, String where, SchemaUpgrade asked) throws SQLException {
        long started = System.nanoTime();
        boolean waitSaid = false;
        java.util.Set<String> said = new java.util.HashSet<>();
        SchemaUpgrade upgrade = new SchemaUpgrade(asked.allowed(), line -> {
            if (said.add(line)) { // each attempt begins the same way: said once
                asked.say().accept(line);
            }
        });
        while (true) {
            try {
                if (migrateOnce(connection, where, upgrade) && waitSaid) {
                    upgrade.say().accept(where + ": schema upgraded after waiting "
                            + (System.nanoTime() - started) / 1_000_000_000L + " s for its locks");
                }
                return;
            } catch (SQLException e) {
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw e;
                }
            }
            if (!waitSaid) {
                waitSaid = true;
                upgrade.say().accept(where + ": the schema upgrade waits for a lock on the fleet's tables, held by "
                        + holders(connection) + "; the runners' statements queue behind each attempt for at most "
                        + LOCK_WAIT_MS / 1000 + " s; trying again every " + RETRY_MS / 1000 + " s (said once)");
            }
            try {
                Thread.sleep(RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(where + ": interrupted while the schema upgrade waited for a lock", e);
            }
        }
    }

    /** @return whether an older schema was upgraded (not a new one set up, nor one already current) */
    private static boolean migrateOnce(Connection connection, String where, SchemaUpgrade upgrade) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            st.execute("SET LOCAL lock_timeout = " + LOCK_WAIT_MS);
            st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    + " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            int current = currentVersion(st);
            SqliteMigrations.rejectNewer(where, current, LATEST);
            boolean older = current > 0 && current < LATEST;
            if (older && !upgrade.allowed()) {
                throw new StoreException(where + ": schema version " + current + " is older than this release's ("
                        + LATEST + "): a runner of this release upgrades it when it starts ('smart-runner run'), one"
                        + " way (docs/cluster.md, \"Upgrading a fleet\"); nothing was changed", null);
            }
            if (older) {
                upgrade.say().accept(where + ": upgrading the schema from version " + current + " to " + LATEST
                        + ", one way: runners of an older release cannot start on it afterwards (to go back, restore"
                        + " a pg_dump taken before; docs/cluster.md, \"Upgrading a fleet\")");
            }
            for (int version = current + 1; version <= LATEST; version++) {
                apply(connection, st, version, MIGRATIONS.get(version - 1));
            }
            connection.commit();
            return older;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Who holds a lock on this schema's tables in a transaction over 1 s old: "pid 42 (pg_dump, active, for 12 s)". */
    private static String holders(Connection connection) {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT a.pid, COALESCE(NULLIF(a.application_name, ''), a.usename),"
                     + " a.state, EXTRACT(EPOCH FROM now() - a.xact_start)::BIGINT, a.xact_start"
                     + " FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.granted"
                     + " AND l.locktype = 'relation' JOIN pg_class t ON t.oid = l.relation"
                     + " AND t.relnamespace = to_regnamespace(current_schema())"
                     + " WHERE a.pid <> pg_backend_pid() AND a.xact_start < now() - interval '1 second'"
                     + " ORDER BY a.xact_start LIMIT 3")) {
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add("pid " + rs.getLong(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + ", for "
                        + rs.getLong(4) + " s)");
            }
            return out.isEmpty() ? "a transaction that has ended since" : String.join(", ", out)
                    + " (a pg_dump, or a transaction left open?)";
        } catch (SQLException e) {
            return "another session (not readable here: " + e.getMessage() + ")";
        }
    }

    static int currentVersion(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void apply(Connection connection, Statement st, int version, String name) throws SQLException {
        for (String sql : SqliteMigrations.statements(load(name))) {
            st.execute(sql);
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO schema_version (version, name) VALUES (?, ?)")) {
            insert.setInt(1, version);
            insert.setString(2, name);
            insert.executeUpdate();
        }
    }

    private static String load(String name) {
        String resource = "/db/postgres/" + name;
        try (InputStream in = PostgresMigrations.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration resource " + resource, e);
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
