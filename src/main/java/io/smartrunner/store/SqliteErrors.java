package io.smartrunner.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Turns a {@link SQLException} into one {@link StoreException} whose message a person can act on:
 * {@code data/state.db: locked by another process (database is locked)}.
 */
final class SqliteErrors {
    /** Below this much space a disk counts as full (SQLite needs room for its journal and shared memory). */
    private static final long FULL_BELOW = 1024 * 1024;
    /** sqlite-jdbc messages look like "[SQLITE_BUSY] The database file is locked (database is locked)". */
    private static final Pattern SQLITE_DETAIL = Pattern.compile("\\(([^()]*)\\)\\s*$");

    private SqliteErrors() {
    }

    static StoreException wrap(String file, SQLException e) {
        return new StoreException(file + ": " + describe(e) + diskHint(file, e), e);
    }

    /**
     * What the file's disk says about an I/O failure, which SQLite's words often do not: a file
     * system that is read-only (mounted so, or remounted after an error; SQLite writes beside
     * {@code state.db}, its {@code -shm} file, even to read it), else one nearly full (opening a
     * store on a full tmpfs said only "disk I/O error"). Reviewer R13: the I/O error of a remounted
     * disk was said as "free some space there", and {@code status} on a read-only copy said only
     * "unable to open database file". "" when the disk says nothing.
     */
    private static String diskHint(String file, SQLException e) {
        if (!(e instanceof SQLiteException s)) {
            return "";
        }
        int primary = s.getResultCode().code & 0xff;
        boolean io = primary == SQLiteErrorCode.SQLITE_IOERR.code || primary == SQLiteErrorCode.SQLITE_FULL.code;
        boolean opening = primary == SQLiteErrorCode.SQLITE_CANTOPEN.code || primary == SQLiteErrorCode.SQLITE_READONLY.code;
        if (!io && !opening) {
            return "";
        }
        try {
            FileStore disk = Files.getFileStore(Path.of(file).toAbsolutePath().getParent());
            if (disk.isReadOnly() && primary != SQLiteErrorCode.SQLITE_FULL.code) {
                return "; its file system is read-only (SQLite writes beside the file even to read it: copy the data"
                        + " dir to a writable place to look at it)";
            }
            long free = disk.getUsableSpace();
            return io && free < FULL_BELOW ? "; its disk has " + free / 1024 + " KiB free: free some space there" : "";
        } catch (IOException | RuntimeException unknown) {
            return "";
        }
    }

    /** Whether SQLite says the file is damaged or not a database at all. */
    static boolean damaged(SQLException e) {
        if (!(e instanceof SQLiteException s)) {
            return false;
        }
        int primary = s.getResultCode().code & 0xff;
        return primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
    }

    static String describe(SQLException e) {
        String detail = detail(e);
        if (!(e instanceof SQLiteException)) {
            return "database error (" + detail + ")";
        }
        int primary = ((SQLiteException) e).getResultCode().code & 0xff;
        return problem(primary) + " (" + detail + ")";
    }

    private static String problem(int primaryCode) {
        if (primaryCode == SQLiteErrorCode.SQLITE_BUSY.code || primaryCode == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return "locked by another process";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_NOTADB.code) {
            return "not a SQLite database";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_CORRUPT.code) {
            return "database file is corrupt";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_READONLY.code) {
            return "read-only, cannot write";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
            return "cannot open";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_PERM.code || primaryCode == SQLiteErrorCode.SQLITE_AUTH.code) {
            return "permission denied";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_FULL.code) {
            return "disk full";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_IOERR.code) {
            return "I/O error";
        } else if (primaryCode == SQLiteErrorCode.SQLITE_CONSTRAINT.code) {
            return "rejected by a constraint";
        }
        return "database error";
    }

    /** SQLite's own words, without the driver's prefix. */
    private static String detail(SQLException e) {
        String message = String.valueOf(e.getMessage()).strip();
        Matcher m = SQLITE_DETAIL.matcher(message);
        String detail = m.find() ? m.group(1) : message.replaceFirst("^\\[[A-Z_]+\\]\\s*", "");
        return detail.replaceAll("\\s+", " ");
    }
}
