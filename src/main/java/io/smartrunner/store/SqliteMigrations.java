package io.smartrunner.store;

import io.smartrunner.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Versioned schema migrations, applied in order in one transaction. Each is a resource
 * {@code db/sqlite/V<n>__<name>.sql}; the list below is the index (a shaded jar cannot be listed).
 * Applied versions are rows of {@code schema_version}; the current version is the highest.
 */
final class SqliteMigrations {
    /** Append only: never edit a migration that has shipped. */
    static final String REGROUPED = "V4__sessions_by_profile.sql";
    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__ladder_stats.sql",
            "V3__running_sessions_index.sql", REGROUPED);

    static final int LATEST = MIGRATIONS.size();

    private SqliteMigrations() {
    }

    /**
     * Brings the schema up to {@link #LATEST}; a no-op when it already is. {@code say} hears how
     * a long upgrade is getting on ({@link SessionRegrouping}).
     */
    static void migrate(Connection connection, String file, Consumer<String> say) throws SQLException {
        int before = currentVersion(connection);
        if (before > 0 && before < LATEST) {
            keepTheOldStore(connection, file, before, say);
        }
        new SessionRegrouping(connection, file, say).copyBeforeMigrating(before);
        try (Statement st = connection.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                        + "version INTEGER PRIMARY KEY, name TEXT NOT NULL)");
                int current = currentVersion(connection);
                rejectNewer(file, current);
                for (int version = current + 1; version <= LATEST; version++) {
                    apply(st, version, MIGRATIONS.get(version - 1));
                }
                st.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(st, e);
                throw e;
            }
        }
    }

    /**
     * An upgrade is one-way (an older runner refuses a newer schema), so before it the store as it
     * is now is copied beside it ({@code VACUUM INTO}: consistent, its WAL included), and the upgrade
     * is said in one line naming the copy: going back to the older runner is stopping this one and
     * moving the copy into place. Before, the upgrade was silent and kept nothing: the only way back
     * to an older release was to lose every pause (a reviewer's rollback).
     *
     * <p>The copy is written under a temporary name and renamed into place once whole: a kill
     * during the copy left a half-written file under the final name, with a hot journal beside it,
     * and the next start kept it as "the store as it was" (reviewer R19: moved into place it was
     * "not a database"; opened to check it, SQLite rolled the journal back into it and left 0
     * bytes). Each start that upgrades copies afresh, over an earlier start's copy: an older runner
     * may have run on the store between an interrupted upgrade and this start, and the earlier copy
     * would undo its work (R19). If the fresh copy fails (no room) an earlier whole copy is kept.
     */
    private static void keepTheOldStore(Connection connection, String file, int before, Consumer<String> say)
            throws SQLException {
        Path copy = Path.of(file + ".schema-" + before);
        Path partial = Path.of(copy + ".partial");
        Path partialJournal = Path.of(partial + "-journal");
        Path staleJournal = Path.of(copy + "-journal"); // a copy's, from a release before
        String kept;
        try {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(partialJournal);
            try (PreparedStatement ps = connection.prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, partial.toString());
                ps.execute();
            }
            DurableFiles.force(partial);
            boolean earlier = Files.exists(copy, LinkOption.NOFOLLOW_LINKS);
            // the journal first: one left beside the new copy would be rolled back into it
            Files.deleteIfExists(staleJournal);
            Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            DurableFiles.syncDirectory(copy.toAbsolutePath().getParent());
            kept = earlier ? "copied now, over an earlier start's copy" : "copied now";
        } catch (SQLException | IOException e) {
            deleteQuietly(partial);
            deleteQuietly(partialJournal);
            boolean whole = Files.exists(copy, LinkOption.NOFOLLOW_LINKS)
                    && !Files.exists(staleJournal, LinkOption.NOFOLLOW_LINKS);
            if (!whole) {
                throw e instanceof SQLException sql ? sql : new SQLException(copy + ": cannot copy the store before"
                        + " upgrading it: " + why(e), e);
            }
            kept = "kept from an earlier start; a fresh copy failed: " + why(e);
        }
        say.accept(file + ": upgrading the schema from version " + before + " to " + LATEST + "; the store as it was"
                + " is in " + copy + " (" + kept + "): an older runner cannot open the upgraded store, so to go back,"
                + " stop this one and move the copy into place (docs/operations.md)");
    }

    /** A file error with its reason: a FileSystemException's message is the bare path (reviewer R20). */
    private static String why(Exception e) {
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason()
                    : e instanceof DirectoryNotEmptyException ? "a directory is in the way"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e.getClass().getSimpleName();
            return f.getFile() + ": " + reason;
        }
        return e.getMessage();
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a leftover temporary copy: the next upgrade deletes it first
        }
    }

    /** The highest applied version, 0 for a database that has never been migrated. */
    static int currentVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet tables = st.executeQuery(
                     "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")) {
            if (!tables.next()) {
                return 0;
            }
        }
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static void rejectNewer(String file, int version) {
        rejectNewer(file, version, LATEST);
    }

    /** @param latest the newest version the store at {@code file} understands (each store counts its own) */
    static void rejectNewer(String file, int version, int latest) {
        if (version > latest) {
            // exit 2: no retry helps (systemd's RestartPreventExitStatus=2 stops the restarts): a release
            // that understands it must run here, or the store as it was before the upgrade be put back
            throw new StoreException(file + ": schema version " + version
                    + " is newer than this runner understands (max " + latest + ")", null, 2);
        }
    }

    /** For a reader that must not migrate: the schema must be exactly the one this runner knows. */
    static void requireCurrent(Connection connection, String file) throws SQLException {
        int version = currentVersion(connection);
        rejectNewer(file, version);
        if (version == 0) {
            throw SqliteConnector.noStateYet(file);
        } else if (version < LATEST) {
            String why = SessionRegrouping.begun(connection)
                    ? " and a runner has begun upgrading it (its stderr says how far it got); try again once it"
                            + " runs, or start one to finish the upgrade"
                    : "; start this runner once to upgrade it (an older runner running on it now: stop that one"
                            + " first; meanwhile pause, unpause, reset, run-now and reload reach it through its API)";
            throw new StoreException(file + ": schema version " + version + " is older than this runner ("
                    + LATEST + ")" + why, null);
        }
    }

    private static void apply(Statement st, int version, String name) throws SQLException {
        for (String sql : statements(load(name))) {
            st.execute(sql);
        }
        st.execute("INSERT INTO schema_version (version, name) VALUES (" + version + ", '" + name + "')");
    }

    static String load(String name) {
        String resource = "/db/sqlite/" + name;
        try (InputStream in = SqliteMigrations.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration resource " + resource, e);
        }
    }

    /** Splits on ';' at the end of a line, dropping '--' comment lines. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                out.add(current.toString().strip().replaceFirst(";$", ""));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static void rollbackQuietly(Statement st, Exception cause) {
        try {
            st.execute("ROLLBACK");
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
