package io.smartrunner.event;

import com.fasterxml.jackson.core.JsonGenerator;
import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * {@link EventSink} writing JSON Lines to one file. Each {@link #append} serialises the batch
 * into one buffer and hands it to the OS in one write loop on an append-mode channel, so when it
 * returns the events are in the page cache (and on disk under {@link FsyncPolicy#ALWAYS}). A
 * failed append cuts the file back to its size before the batch and throws; the sink stays
 * usable. On open, a line torn by an earlier crash is moved to {@code <file>.torn}.
 * One writer thread; the {@link FsyncPolicy#INTERVAL} fsync runs on its own daemon thread.
 * <p>
 * Rotation ({@link #rotateAt}): before a batch that would take the file past the limit, the file
 * is forced, closed and renamed to {@code <file>.1} ({@link LogRotation}), and the batch
 * goes into a new file; a batch is never split. {@link #requestReopen} (SIGUSR1, after an external
 * logrotate renamed the file) makes the next append reopen the path; so does a path found, at most
 * once a second, to name no longer the file written to (renamed without SIGUSR1, or deleted).
 */
public final class JsonlEventSink implements EventSink {
    private static final int RETAINED_BUFFER_BYTES = 1 << 20;

    private final Path file;
    private final FsyncPolicy policy;
    private final UnaryOperator<FileChannel> decorate;
    private final IntervalFsync intervalFsync;
    private final long tornBytesMoved;
    private BatchBuffer batch = new BatchBuffer();
    private volatile FileChannel channel;
    /** Set when cutting a failed batch back itself failed: done before anything else is written. */
    private long pendingCutBack = -1;
    private boolean closed;
    private final LogRotation rotation;

    private JsonlEventSink(Path file, FsyncPolicy policy, long fsyncIntervalMs, UnaryOperator<FileChannel> decorate,
                           long tornBytesMoved) throws IOException {
        this.file = file;
        this.policy = policy;
        this.decorate = decorate;
        this.tornBytesMoved = tornBytesMoved;
        this.channel = openChannel();
        this.rotation = new LogRotation(file);
        this.intervalFsync = policy == FsyncPolicy.INTERVAL ? new IntervalFsync(() -> channel, fsyncIntervalMs) : null;
    }

    /**
     * Opens (creating it and its directories) the log at {@code file}, repairing a torn last line.
     * An existing file that does not look like an event log ({@link EventLogShape}) is refused untouched.
     *
     * @param fsyncIntervalMs period of the background fsync under {@link FsyncPolicy#INTERVAL}
     */
    public static JsonlEventSink open(Path file, FsyncPolicy policy, long fsyncIntervalMs) {
        return open(file, policy, fsyncIntervalMs, UnaryOperator.identity());
    }

    /** As {@link #open(Path, FsyncPolicy, long)}, with every channel passed through {@code decorate} (tests). */
    static JsonlEventSink open(Path file, FsyncPolicy policy, long fsyncIntervalMs,
                               UnaryOperator<FileChannel> decorate) {
        if (policy == FsyncPolicy.INTERVAL && fsyncIntervalMs <= 0) {
            throw new IllegalArgumentException("fsyncIntervalMs must be > 0 for INTERVAL, was " + fsyncIntervalMs);
        }
        if (Files.isDirectory(file)) {
            throw new EventLogException(file + ": is a directory, not a file", null);
        }
        String blocking = LogFileChannels.blockingKind(file);
        if (blocking != null) { // opening it would wait for a reader, maybe for ever
            throw new EventLogException(file + ": is " + blocking + ", not a file", null);
        }
        EventLogShape.require(file); // before the torn tail is cut or anything appended
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return new JsonlEventSink(file, policy, fsyncIntervalMs, decorate, TornTail.repair(file));
        } catch (IOException e) {
            throw new EventLogException(file + ": cannot open event log: " + reason(e), e);
        }
    }

    /**
     * Rotates the file before a batch that would take it past {@code maxBytes}, keeping
     * {@code keep} rotated files. A rotation that fails is told to {@code notices} and the batch is
     * written to the current file: a rename problem never stops the fleet.
     *
     * @param maxBytes 0 = never rotate
     * @return this sink
     */
    public JsonlEventSink rotateAt(long maxBytes, int keep, Consumer<String> notices) {
        rotation.rotateAt(maxBytes, keep, notices);
        return this;
    }

    /**
     * Asks the writer to reopen the path before its next append (async-signal-safe: only sets a
     * flag). After an external rotation renamed the file, new events then go to the new file.
     */
    public void requestReopen() {
        rotation.requestReopen();
    }

    /** See {@link LogRotation#checkPathEvery} (tests). */
    JsonlEventSink checkPathEvery(java.time.Duration every) {
        rotation.checkPathEvery(every);
        return this;
    }

    /** Bytes of a torn last line moved to {@code <file>.torn} when this sink opened (0 normally). */
    public long tornBytesMoved() {
        return tornBytesMoved;
    }

    @Override
    public void append(List<EventRecord> events) {
        if (closed) {
            throw new IllegalStateException(file + ": event log is closed");
        }
        if (events.isEmpty()) {
            return;
        }
        IOException lostFsync = intervalFsync == null ? null : intervalFsync.takeFailure();
        if (lostFsync != null) {
            throw new EventLogException(file + ": background fsync failed: " + reason(lostFsync), lostFsync);
        }
        ByteBuffer bytes = serialise(events);
        long sizeBefore = -1;
        try {
            FileChannel ch = usableChannel();
            if (pendingCutBack >= 0) {
                ch.truncate(pendingCutBack);
                pendingCutBack = -1;
            }
            ch = leaveIfDue(ch, bytes.remaining());
            sizeBefore = ch.size();
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            if (policy == FsyncPolicy.ALWAYS) {
                ch.force(false);
            } else if (intervalFsync != null) {
                intervalFsync.written();
            }
        } catch (IOException e) {
            cutBack(sizeBefore, e);
            throw new EventLogException(file + ": cannot append events: " + reason(e), e);
        } finally {
            if (batch.capacity() > RETAINED_BUFFER_BYTES) {
                batch = new BatchBuffer();
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (intervalFsync != null) {
            intervalFsync.close();
        }
        try (FileChannel ch = channel) {
            if (ch.isOpen()) {
                ch.force(false);
            }
        } catch (IOException e) {
            throw new EventLogException(file + ": cannot close event log: " + reason(e), e);
        }
    }

    /** One tick of the {@link FsyncPolicy#INTERVAL} thread, run by hand in tests. */
    void forceIfDirty() {
        intervalFsync.forceIfDirty();
    }

    /** Whether the {@link FsyncPolicy#INTERVAL} thread has a force to do (tests). */
    boolean fsyncScheduled() {
        return intervalFsync.forceScheduled();
    }

    private ByteBuffer serialise(List<EventRecord> events) {
        batch.reset();
        try (JsonGenerator g = EventJson.FACTORY.createGenerator(batch)) {
            for (EventRecord e : events) {
                EventJson.write(g, e);
            }
        } catch (IOException | RuntimeException e) {
            throw new EventLogException(file + ": cannot serialise events: " + e.getMessage(), e);
        }
        return batch.bytes();
    }

    /** Between batches: a new file when this batch would pass the size limit or a reopen was asked for. */
    private FileChannel leaveIfDue(FileChannel ch, int batchBytes) throws IOException {
        FileChannel next = rotation.channelFor(ch, batchBytes, this::openChannel);
        if (next != ch) {
            channel = next; // the fsync thread moves to the new file before the old one closes
            ch.close();
        }
        return next;
    }

    /** A thread interrupted mid-write closes the channel (NIO's rule); reopen rather than stay broken. */
    private FileChannel usableChannel() throws IOException {
        if (!channel.isOpen()) {
            channel = openChannel();
        }
        return channel;
    }

    private void cutBack(long sizeBefore, IOException cause) {
        if (sizeBefore < 0) {
            return;
        }
        // An interrupt must not also stop the repair: clear it for the truncate, then restore it.
        boolean interrupted = Thread.interrupted();
        try {
            usableChannel().truncate(sizeBefore);
        } catch (IOException e) {
            pendingCutBack = sizeBefore;
            cause.addSuppressed(e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private FileChannel openChannel() throws IOException {
        return decorate.apply(LogFileChannels.openAppend(file));
    }

    /** What went wrong, in words: NIO's file exceptions carry only a path as their message. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + ((FileSystemException) e).getFile();
        } else if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way: " + ((FileSystemException) e).getFile();
        } else if (e instanceof java.nio.file.DirectoryNotEmptyException) {
            return "a directory is in the way: " + ((FileSystemException) e).getFile();
        } else if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + ((FileSystemException) e).getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
