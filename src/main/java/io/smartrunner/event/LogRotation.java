package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * When and how {@link JsonlEventSink} leaves its file between two batches: rotation by size
 * ({@link EventLogFiles#rotate}), a reopen asked for after an external logrotate, and a retry
 * after either failed. Keeps where the live file starts in the whole log ({@link LogBase}).
 * Runs on the writer's thread; only {@link #requestReopen} may be called from another.
 */
final class LogRotation {
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

    LogRotation(Path file) throws IOException {
        this.file = file;
        this.base = LogBase.current(file);
        recordBase();
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
        // renamed already (the reopen failed last time): reopen only, never shift the files again
        boolean full = !renamedAway && maxBytes > 0 && size > 0 && size + batchBytes > maxBytes
                && size >= retryRotationAt;
        if (!full && !reopenRequested && !renamedAway) {
            return ch;
        }
        ch.force(false); // what the old file holds is durable before the writer leaves it
        if (full && !rotate(size)) {
            return ch;
        }
        FileChannel next = opener.open();
        reopenRequested = false;
        renamedAway = false;
        base += size;
        recordBase();
        return next;
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
