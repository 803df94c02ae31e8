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
 */
public final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
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

    public static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve("runner.lock");
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            // createDirectories' own message is the path alone: "cannot lock the data dir: /etc/passwd"
            throw new SmartRunnerException("runner.dataDir: " + dataDir + " is a file, expected a directory");
        }
        try {
            Files.createDirectories(dataDir);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
                ch.close();
                throw new HeldByAnother(file + ": another runner is using " + dataDir
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it or choose another runner.dataDir");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new DataDirLock(ch, lock);
        } catch (IOException e) {
            throw new SmartRunnerException(file + ": cannot lock the data dir: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the kernel releases the lock with the process anyway
        }
    }
}
