package io.smartrunner.store;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
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
 * Thread-safe: {@link #wrote} from any thread.
 */
final class SqliteCheckpointer implements AutoCloseable {
    static final long DEFAULT_DELAY_MS = 1000;

    private final String file;
    private final Connection connection;
    private final long delayNanos;
    private final Consumer<String> say;
    private final Thread thread;
    private volatile boolean pending;
    private volatile boolean closed;
    private boolean failing;
    private long checkpoints; // guarded by this

    private SqliteCheckpointer(Path dbFile, Connection connection, long delayMs, Consumer<String> say) {
        this.file = dbFile.toString();
        this.connection = connection;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
        this.say = say;
        this.thread = new Thread(this::run, "sr-sqlite-checkpoint");
        thread.setDaemon(true);
    }

    /** Starts checkpointing {@code dbFile} through a connection of its own. */
    static SqliteCheckpointer start(Path dbFile, SqliteSynchronous sync, long delayMs, Consumer<String> say) {
        Connection connection = SqliteConnector.openReadWrite(dbFile, sync, SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS);
        SqliteCheckpointer checkpointer = new SqliteCheckpointer(dbFile, connection, delayMs, say);
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
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            rs.next();
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
}
