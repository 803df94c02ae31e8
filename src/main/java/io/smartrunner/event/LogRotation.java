package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * When and how {@link JsonlEventSink} leaves its file between two batches: rotation by size
 * ({@link EventLogFiles#rotate}), a reopen asked for after an external logrotate, a path that no
 * longer names the file written to (moved or deleted without the reopen being asked for), and a
 * retry after any of them failed. Keeps where the live file starts in the whole log ({@link LogBase}).
 * Runs on the writer's thread; only {@link #requestReopen} may be called from another.
 */
final class LogRotation {
    /** How often, at most, a batch checks that the path still names the file written to: one stat. */
    static final Duration PATH_CHECK = Duration.ofSeconds(1);

    /** Opens the path anew. */
    interface Opener {
        FileChannel open() throws IOException;
    }

    private final Path file;
    private long maxBytes;
    private int keep = 1;
    private Consumer<String> notices = line -> { };
    private volatile boolean reopenRequested;
    /** The file was rotated away but the new one could not be opened yet: the next append opens it. */
    private boolean renamedAway;
    /** Where the live file starts in the whole log's byte stream ({@link LogBase}). */
    private long base;
    /** A rotation that failed: not tried again before the file has grown this far (no rename storm). */
    private long retryRotationAt;
    /** A rotation failed and none succeeded since: told once per episode, not per try. */
    private boolean rotationFailing;
    /** The file written to, as its path named it when opened; null when that could not be read. */
    private Object openKey;
    /** The other file at the path already told of, whose open failed (a FIFO, a directory): told once, retried quietly. */
    private Object toldKey;
    private boolean checkPath = true;
    private long pathCheckNanos = PATH_CHECK.toNanos();
    private long nextPathCheck = System.nanoTime();

    LogRotation(Path file) throws IOException {
        this.file = file;
        this.base = LogBase.current(file);
        this.openKey = LogFollower.key(file);
        recordBase();
    }

    /** Checks the path at every batch ({@link Duration#ZERO}) or never ({@code null}) instead of every {@link #PATH_CHECK} (tests). */
    void checkPathEvery(Duration every) {
        checkPath = every != null;
        pathCheckNanos = every == null ? 0 : every.toNanos();
    }

    /** See {@link JsonlEventSink#rotateAt}. */
    void rotateAt(long maxBytes, int keep, Consumer<String> notices) {
        if (maxBytes < 0 || keep < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 0 and keep >= 1, were " + maxBytes + ", " + keep);
        }
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.notices = notices;
    }

    /** Async-signal-safe: only sets a flag. */
    void requestReopen() {
        reopenRequested = true;
    }

    /**
     * The channel a batch of {@code batchBytes} goes to: {@code ch}, or a new one on the path when
     * the file is rotated (this batch would pass the size limit) or a reopen is due. The caller
     * closes {@code ch} when it gets another channel back.
     */
    FileChannel channelFor(FileChannel ch, int batchBytes, Opener opener) throws IOException {
        long size = ch.size();
        // the path looked at first: when it names another file, that is not ours to rotate
        boolean moved = !reopenRequested && !renamedAway && pathMoved();
        // renamed already (the reopen failed last time): reopen only, never shift the files again
        boolean full = !moved && !renamedAway && maxBytes > 0 && size > 0 && size + batchBytes > maxBytes
                && size >= retryRotationAt;
        boolean due = full || reopenRequested || renamedAway;
        if (!due && !moved) {
            return ch;
        }
        ch.force(false); // what the old file holds is durable before the writer leaves it
        if (full && !rotate(size)) {
            return ch;
        }
        if (moved) {
            Files.createDirectories(file.toAbsolutePath().getParent()); // a deleted logs/ comes back with its file
        }
        FileChannel next = opener.open();
        reopenRequested = false;
        renamedAway = false;
        openKey = LogFollower.key(file);
        toldKey = null;
        base += size;
        recordBase();
        return next;
    }

    /**
     * Whether the path no longer names the file being written (checked once per {@link #PATH_CHECK}):
     * renamed by a logrotate that sent no SIGUSR1, or deleted by hand. Without this check the
     * runner would go on writing every event into a file nobody can find, and say nothing.
     */
    private boolean pathMoved() {
        long now = System.nanoTime();
        if (!checkPath || now - nextPathCheck < 0) {
            return false;
        }
        nextPathCheck = now + pathCheckNanos;
        Object key;
        try {
            key = LogFollower.key(file);
        } catch (IOException e) {
            return false; // the directory cannot be read (its mode changed?): the file written to still takes the events
        }
        if (openKey == null || openKey.equals(key)) {
            return false;
        }
        if (key != null && key.equals(toldKey)) {
            return true; // its open failed last time and the append said why: try again, say nothing new
        }
        toldKey = key;
        notices.accept(file + (key == null
                ? ": the event log was moved or deleted while the runner wrote to it; new events go to a new file at that path"
                : ": the path now names another file than the one the runner wrote to; new events go to it")
                + " (to rotate the log by hand: rename it, then send SIGUSR1)");
        return true;
    }

    /** @return whether the file was renamed away; a failure is told once and retried after some growth */
    private boolean rotate(long size) {
        try {
            EventLogFiles.rotate(file, keep);
            renamedAway = true;
            retryRotationAt = 0;
            if (rotationFailing) {
                rotationFailing = false;
                notices.accept(file + ": rotating the event log again");
            }
            return true;
        } catch (IOException e) {
            retryRotationAt = size + Math.max(maxBytes / 10, 1);
            if (!rotationFailing) {
                rotationFailing = true;
                notices.accept(file + ": cannot rotate the event log (" + JsonlEventSink.reason(e)
                        + "); writing on to it and trying again every " + (retryRotationAt - size) + " bytes");
            }
            return false;
        }
    }

    /** Best effort: without it, readers count offsets from the oldest file kept (see {@link LogBase#current}). */
    private void recordBase() {
        try {
            Object key = LogFollower.key(file);
            if (key != null) {
                new LogBase(key.toString(), base).write(file);
            }
        } catch (IOException e) {
            notices.accept(file + ": cannot record where the live file starts (" + JsonlEventSink.reason(e)
                    + "); /api/events cursors may shift at the next rotation");
        }
    }
}
