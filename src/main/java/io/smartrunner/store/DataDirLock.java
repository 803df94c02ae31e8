package io.smartrunner.store;

import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One runner per data dir: an OS file lock on {@code runner.lock}, released by the kernel when
 * the process dies however it dies, so a kill -9 never leaves a stale lock behind.
 *
 * <p>And one writer per event log: the log is not in the data dir (by default {@code
 * logs/events.jsonl} beside it), so a second data dir could share it. A runner started on another
 * data dir with the same log would close the first one's open sessions as lost while they ran on,
 * and a command run with a file whose {@code runner.dataDir} was edited since the runner started
 * would find no runner and append its control to the live log behind the runner's back. So the
 * writer also locks {@code .<log name>.lock} beside the log, the same way.
 */
public final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;
    /** The event log's lock, or null when only the data dir was locked (a command that only reads). */
    private DataDirLock logLock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * The data dir's lock and the event log's when no runner holds the data dir, else null.
     *
     * @throws SmartRunnerException (exit 1) the data dir is free but another runner writes the event log
     */
    public static DataDirLock tryAcquire(Path dataDir, Path eventLog) {
        DataDirLock lock = tryAcquire(dataDir);
        return lock == null ? null : lock.andEventLog(dataDir, eventLog);
    }

    /**
     * Both locks, for the runner.
     *
     * @throws SmartRunnerException (exit 1) another runner holds the data dir or writes the event log
     */
    public static DataDirLock acquire(Path dataDir, Path eventLog) {
        return acquire(dataDir).andEventLog(dataDir, eventLog);
    }

    private DataDirLock andEventLog(Path dataDir, Path eventLog) {
        Path log = eventLog.toAbsolutePath(); // "events.jsonl" alone has no parent
        Path file = log.resolveSibling("." + log.getFileName() + ".lock");
        String us = dataDir.toAbsolutePath().normalize().toString();
        try {
            Files.createDirectories(file.getParent());
            OwnDirectory.require(file.getParent(), "the event log's directory (runner.eventLog)");
            logLock = lock(file, ProcessHandle.current().pid() + "\n" + us + "\n");
        } catch (IOException e) {
            close();
            throw new SmartRunnerException(file + ": cannot lock the event log: " + e.getMessage(), e);
        } catch (SmartRunnerException refused) { // the data dir's lock is let go with it
            close();
            throw refused;
        }
        if (logLock == null) {
            String[] holder = heldBy(file).split("\n");
            close();
            throw new SmartRunnerException(eventLog + " is written by another runner"
                    + (holder.length == 2 ? " (pid " + holder[0] + ", runner.dataDir " + holder[1] + ")" : "")
                    + ", not one on " + us + ": each runner needs its own runner.eventLog; if this file's"
                    + " runner.dataDir changed since that runner started, restart it to use the new one");
        }
        return this;
    }

    /**
     * The lock on {@code file}, {@code holder} written into it for whoever is refused next; null
     * when another process (or this one, in a test) holds it.
     */
    private static DataDirLock lock(Path file, String holder) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldHere) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            return null;
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
        return new DataDirLock(ch, lock);
    }

    /** What the holder of a lock file wrote into it, trimmed; empty when it cannot be read. */
    private static String heldBy(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * For commands that only read a data dir ({@code status}): refused (exit 2) when another user
     * could have planted what they would read, before they print any of it; nothing to judge when
     * it does not exist yet.
     */
    public static void requireOwn(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try {
            OwnDirectory.require(dataDir, "runner.dataDir");
            requireOwnInside(dataDir);
        } catch (IOException e) {
            throw new SmartRunnerException(dataDir + ": cannot read its owner and mode: " + e.getMessage(), e);
        }
    }

    /** The directories of the data dir the runner writes files into (session logs, browsers' profiles). */
    private static final java.util.List<String> WRITTEN_INTO = java.util.List.of("logs", "browsers");

    /**
     * Those directories must be the runner's own too, when they exist: a {@code data/logs} others
     * may write let a local user plant a symlink where a session log goes, and a root runner
     * appended a session's output to its target, then truncated it at the first rotation (reviewer
     * R9; the data dir's own check did not reach one directory down).
     */
    private static void requireOwnInside(Path dataDir) throws IOException {
        for (String name : WRITTEN_INTO) {
            Path dir = dataDir.resolve(name);
            if (Files.isDirectory(dir)) { // a link to a bigger disk is fine: the data dir's own, the target judged
                OwnDirectory.require(dir, "runner.dataDir's " + name + " directory");
            }
        }
    }

    /** The lock when no runner holds it, else null (a runner is using the data dir). */
    public static DataDirLock tryAcquire(Path dataDir) {
        try {
            return acquire(dataDir);
        } catch (HeldByAnother e) {
            return null;
        }
    }

    /** Another process holds the lock. */
    static final class HeldByAnother extends SmartRunnerException {
        HeldByAnother(String message) {
            super(message);
        }
    }

    /** The file a runner locks in its data dir (its death watch looks whether a next runner holds it). */
    public static Path fileOf(Path dataDir) {
        return dataDir.resolve("runner.lock");
    }

    public static DataDirLock acquire(Path dataDir) {
        Path file = fileOf(dataDir);
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            // createDirectories' own message is the path alone: "cannot lock the data dir: /etc/passwd"
            throw new SmartRunnerException("runner.dataDir: " + dataDir + " is a file, expected a directory");
        }
        DataDirLock lock;
        try {
            Files.createDirectories(dataDir);
            OwnDirectory.require(dataDir, "runner.dataDir");
            requireOwnInside(dataDir);
            lock = lock(file, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new SmartRunnerException(file + ": cannot lock the data dir: " + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = heldBy(file);
            throw new HeldByAnother(file + ": another runner is using " + dataDir
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it or choose another runner.dataDir");
        }
        return lock;
    }

    @Override
    public void close() {
        if (logLock != null) {
            logLock.close();
            logLock = null;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the kernel releases the lock with the process anyway
        }
    }
}
