package io.smartrunner.store;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** Opens the SQLite file with the connection settings the store relies on, or fails with one clear line. */
final class SqliteConnector {
    /**
     * The page size of a new store. Each commit appends every page it changed to the WAL, whole
     * and checksummed: a fleet's commit changes ~9 pages to write a few hundred bytes of rows, and
     * with 1 KiB pages instead of SQLite's 4 KiB it writes a quarter of the bytes for one page more.
     */
    static final int PAGE_BYTES = 1024;

    private SqliteConnector() {
    }

    /**
     * A read-write connection in WAL mode (so a {@code status} in another process can read while
     * the runner writes), with the given synchronous level, a busy timeout and foreign keys on.
     * Creates the file and its parent directories when missing.
     */
    static Connection openReadWrite(Path dbFile, SqliteSynchronous sync, int busyTimeoutMs) {
        String file = dbFile.toString();
        rejectDirectory(dbFile);
        createParentDirectories(dbFile);
        Connection connection = connect(dbFile, false);
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA busy_timeout = " + busyTimeoutMs);
            st.execute("PRAGMA page_size = " + PAGE_BYTES); // a new file's only: an existing one keeps its own
            String mode = queryString(st, "PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StoreException(file + ": cannot switch to WAL mode (journal_mode is " + mode + ")", null);
            }
            st.execute("PRAGMA synchronous = " + sync.name());
            st.execute("PRAGMA foreign_keys = ON");
            return connection;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection, e);
            throw e instanceof SQLException ? SqliteErrors.wrap(file, (SQLException) e) : (RuntimeException) e;
        }
    }

    /** A read-only connection to an existing file; never creates anything but SQLite's WAL index. */
    static Connection openReadOnly(Path dbFile, int busyTimeoutMs) {
        String file = dbFile.toString();
        rejectDirectory(dbFile);
        if (!Files.exists(dbFile)) {
            throw noStateYet(file);
        }
        Connection connection = connect(dbFile, true);
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA busy_timeout = " + busyTimeoutMs);
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection, e);
            throw SqliteErrors.wrap(file, e);
        }
    }

    static StoreException noStateYet(String file) {
        return new StoreException(file + ": no state yet (has the runner run?)", null);
    }

    static String queryString(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void closeQuietly(Connection connection, Exception cause) {
        try {
            connection.close();
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    private static Connection connect(Path dbFile, boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(readOnly);
        // the store reads no generated key; with this on, every INSERT ran a regex on its SQL and a
        // SELECT last_insert_rowid()
        config.setGetGeneratedKeys(false);
        try {
            return config.createConnection("jdbc:sqlite:" + dbFile);
        } catch (SQLException e) {
            throw SqliteErrors.wrap(dbFile.toString(), e);
        }
    }

    private static void rejectDirectory(Path dbFile) {
        if (Files.isDirectory(dbFile)) {
            throw new StoreException(dbFile + ": is a directory, not a database file", null);
        }
    }

    private static void createParentDirectories(Path dbFile) {
        Path parent = dbFile.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StoreException(dbFile + ": cannot create its directory (" + reason(e) + ")", e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way: " + ((FileSystemException) e).getFile();
        } else if (e instanceof AccessDeniedException) {
            return "permission denied: " + ((FileSystemException) e).getFile();
        }
        return String.valueOf(e.getMessage());
    }
}
