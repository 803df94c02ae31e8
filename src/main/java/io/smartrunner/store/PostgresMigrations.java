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

    /** Brings the schema up to {@link #LATEST}; a no-op when it already is. */
    static void migrate(Connection connection, String where) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    + " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            int current = currentVersion(st);
            SqliteMigrations.rejectNewer(where, current, LATEST);
            for (int version = current + 1; version <= LATEST; version++) {
                apply(connection, st, version, MIGRATIONS.get(version - 1));
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
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
