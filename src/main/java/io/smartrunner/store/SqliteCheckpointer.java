package io.smartrunner.store;

import io.smartrunner.DaemonThreads;
import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Copies the store's WAL back into the database file on a thread of its own, a second after the
 * first write since the last copy. The writing connection has SQLite's automatic checkpoint off:
 * left on, it ran inside whichever commit filled the WAL to 1 000 pages, on the runner's loop, and
 * its {@code fsync}s of the WAL and the file (median 2.7 ms, up to 28 ms at 500 session ends a
 * second) stalled every decision behind it.
 * <p>Durability is SQLite's, unchanged: a commit is in the WAL before {@link SqliteStateStore#write}
 * returns, with the same {@code synchronous} level; a {@code PASSIVE} checkpoint never blocks the
 * writer and copies only what every reader has moved past. A checkpoint that fails (a full disk)
 * is said once, leaves the writes in the WAL, and is tried again after the next write.
 * <p>The WAL only starts over from its beginning when a writer finds every frame in it copied
 * back. Under steady writes (a crash loop, a fleet's 500 session ends a second) a commit lands
 * during every {@code PASSIVE} copy, so that never happened and the WAL grew by 17 MB a second,
 * without end. So when the WAL has {@link #RESTART_FRAMES} or more frames since it last started
 * over, a {@code RESTART} checkpoint follows the copy at once, holding the store's own lock: the
 * store's writes wait while it copies the few frames written during the first and syncs the file
 * (a few milliseconds, once a second at most), and it waits at most {@link #RESTART_WAIT_MS} for
 * readers in other processes, so the next commit writes the WAL from its start again. Without
 * the lock, SQLite's busy handler (a retry after 1, 2, 5 ms…) lost to a writer that commits
 * every few hundred microseconds, and the WAL still grew.
 * <p>Each checkpoint also looks whether the path still names the database file the store opened:
 * a {@code state.db} deleted or replaced under a running runner is said once (SQLite goes on
 * writing the file it has open, which nobody will find again).
 * Thread-safe: {@link #wrote} from any thread.
 */
final class SqliteCheckpointer implements AutoCloseable {
    static final long DEFAULT_DELAY_MS = 1000;
    /** SQLite's own automatic checkpoint size: a WAL this long (4 MiB of 4 KiB pages) is restarted. */
    static final int RESTART_FRAMES = 1000;
    /** How long a RESTART may hold the writer off while a reader (a CLI's status) still reads the WAL. */
    static final int RESTART_WAIT_MS = 50;
    private static final long LOCK_POLL_MS = 10;

    private final String file;
    private final Path dbFile;
    /** The database file opened, as its path named it then; null when that could not be read. */
    private final Object fileKey;
    private boolean saidGone;
    private final Connection connection;
    private final long delayNanos;
    private final Consumer<String> say;
    private final Lock writes;
    private final Thread thread;
    private volatile boolean pending;
    private volatile boolean closed;
    private boolean failing;
    private long checkpoints; // guarded by this

    private SqliteCheckpointer(Path dbFile, Connection connection, long delayMs, Consumer<String> say, Lock writes) {
        this.file = dbFile.toString();
        this.dbFile = dbFile;
        this.fileKey = keyOrNull(dbFile);
        this.connection = connection;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
        this.say = say;
        this.writes = writes;
        this.thread = DaemonThreads.daemon(this::run, "sr-sqlite-checkpoint");
    }

    /**
     * Starts checkpointing {@code dbFile} through a connection of its own.
     *
     * @param writes the lock every use of the store's connection holds (a RESTART holds it too)
     */
    static SqliteCheckpointer start(Path dbFile, SqliteSynchronous sync, long delayMs, Consumer<String> say,
                                    Lock writes) {
        Connection connection = SqliteConnector.openReadWrite(dbFile, sync, SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS);
        SqliteCheckpointer checkpointer = new SqliteCheckpointer(dbFile, connection, delayMs, say, writes);
        checkpointer.thread.start();
        return checkpointer;
    }

    /** A commit went into the WAL: a checkpoint follows within the delay. Cheap when one is due. */
    void wrote() {
        if (!pending) {
            pending = true;
            LockSupport.unpark(thread);
        }
    }

    /** Checkpoints on the calling thread now (tests; the store's thread must not be due meanwhile). */
    void checkpointNow() {
        checkpoint();
    }

    /** Waits until {@code count} checkpoints have completed (tests); false when the wait ran out. */
    synchronized boolean awaitCheckpoints(long count, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (long left = timeoutMs; checkpoints < count; left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) {
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            connection.close();
        } catch (SQLException e) {
            throw SqliteErrors.wrap(file, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!closed) {
            if (!pending) {
                LockSupport.park(this);
                continue;
            }
            long due = System.nanoTime() + delayNanos;
            for (long left = delayNanos; left > 0 && !closed; left = due - System.nanoTime()) {
                LockSupport.parkNanos(this, left);
            }
            if (closed) {
                return; // closing the store's last connection checkpoints what is left
            }
            pending = false; // before the copy: a commit during it asks for the next one
            checkpoint();
        }
    }

    private synchronized void counted() {
        checkpoints++;
        notifyAll();
    }

    private void checkpoint() {
        sayIfGone();
        try (Statement st = connection.createStatement()) {
            if (framesIn(st, "PASSIVE") >= RESTART_FRAMES) {
                restart(st);
            }
            counted();
            if (failing) {
                failing = false;
                say.accept(file + ": checkpoint works again; the WAL is back in the database file");
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                failing = true;
                String why = e instanceof SQLException ? SqliteErrors.describe((SQLException) e) : String.valueOf(e);
                say.accept(file + ": checkpoint failed: " + why + "; the writes stay in the WAL,"
                        + " tried again after the next write");
            }
        }
    }

    /**
     * Says, once, when the path no longer names the database file opened: the runner's state then
     * lives only in a file nobody can open again, and the next start rebuilds it from the event log.
     */
    private void sayIfGone() {
        if (saidGone || fileKey == null) {
            return;
        }
        Object now;
        try {
            now = keyOf(dbFile);
        } catch (IOException e) {
            return; // the directory cannot be read (its mode changed?): nothing can be told
        }
        if (fileKey.equals(now)) {
            return;
        }
        saidGone = true;
        say.accept(file + ": the database file was " + (now == null ? "deleted" : "replaced by another file")
                + " while the runner uses it; the runner goes on with the one it opened, which is gone when it"
                + " stops: the next start rebuilds the state from the event log (restart the runner to have"
                + " a store file again now)");
    }

    private static Object keyOrNull(Path path) {
        try {
            return keyOf(path);
        } catch (IOException e) {
            return null; // then no check is made
        }
    }

    /** The file's identity (device and inode), or null when it is not there. */
    private static Object keyOf(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A RESTART checkpoint while the store's connection is idle; skipped when the store closes. */
    private void restart(Statement st) throws SQLException {
        if (!lockWrites()) {
            return;
        }
        try {
            st.execute("PRAGMA busy_timeout = " + RESTART_WAIT_MS);
            try {
                framesIn(st, "RESTART"); // a reader that outstayed the wait: the next round tries again
            } finally {
                st.execute("PRAGMA busy_timeout = " + SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS);
            }
        } finally {
            writes.unlock();
        }
    }

    /** Takes the store's lock, giving up when the store closes (its close holds the lock while it waits for this thread). */
    private boolean lockWrites() {
        while (!closed) {
            try {
                if (writes.tryLock(LOCK_POLL_MS, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Runs a checkpoint; how many frames the WAL held since it last started over, as the checkpoint began. */
    private static long framesIn(Statement st, String mode) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next(); // busy, frames in the WAL, frames copied back (-1, -1 when not in WAL mode)
            return rs.getLong(2);
        }
    }
}
