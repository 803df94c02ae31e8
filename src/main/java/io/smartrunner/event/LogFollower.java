package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Follows an event log across rotations. It holds the file it reads open, so a rename (ours, or
 * logrotate's) does not move the bytes under it; when the path names another file (by inode),
 * it first drains the held file to its last complete line, then goes on with the file that came
 * after it: the next rotated one if it fell behind by more than one rotation, else the new live
 * file once something has been written to it (so a file logrotate created before the runner
 * reopened is not switched to while the runner still appends to the old one). A file cut back
 * below the offset (copytruncate) is read again from its start. Not thread-safe.
 */
final class LogFollower implements AutoCloseable {
    private final Path file;
    private final EventLogReader reader;
    private FileChannel held;
    private Object heldKey;
    private long offset;

    /** Starts at {@code fromOffset} of whatever file {@code file} names when the first poll opens it. */
    LogFollower(Path file, EventLogReader reader, long fromOffset) {
        this.file = file;
        this.reader = reader;
        this.offset = fromOffset;
    }

    /** Starts in an already open file (a snapshot's live file), so a rotation since it was opened loses nothing. */
    LogFollower(Path file, EventLogReader reader, FileChannel open, Object openKey, long fromOffset) {
        this(file, reader, fromOffset);
        this.held = open;
        this.heldKey = openKey;
    }

    /**
     * Hands each new matching event to {@code action}, polling every {@code pollInterval}, until
     * {@code keepGoing} says stop (asked before every poll) or the thread is interrupted.
     *
     * @return the offset reached in the file followed last
     */
    long follow(Predicate<EventRecord> filter, Consumer<EventRecord> action, BooleanSupplier keepGoing,
                Duration pollInterval) {
        try {
            while (!Thread.currentThread().isInterrupted() && keepGoing.getAsBoolean()) {
                if (held == null && !openLive()) {
                    if (!idle(pollInterval)) {
                        break;
                    }
                    continue;
                }
                if (readHeld(filter, action)) {
                    continue;
                }
                if (!moveOn(filter, action) && !idle(pollInterval)) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new EventLogException(file + ": cannot follow events: " + JsonlEventSink.reason(e), e);
        }
        return offset;
    }

    /** @return whether anything new was read */
    private boolean readHeld(Predicate<EventRecord> filter, Consumer<EventRecord> action) throws IOException {
        long size = held.size();
        if (size < offset) {
            offset = 0;
        }
        if (size <= offset) {
            return false;
        }
        long next = reader.forEach(held, offset, size, filter, action);
        boolean moved = next != offset;
        offset = next;
        return moved;
    }

    /** When the path names another file: drain the held one and switch. @return whether it switched */
    private boolean moveOn(Predicate<EventRecord> filter, Consumer<EventRecord> action) throws IOException {
        Object liveKey = key(file);
        if (liveKey == null || liveKey.equals(heldKey)) {
            return false;
        }
        Path successor = successor();
        if (successor == null) {
            return false;
        }
        readHeld(filter, action); // anything written to the old file before the switch
        FileChannel ch = openVerified(successor);
        if (ch == null) {
            return false;
        }
        held.close();
        held = ch;
        offset = 0;
        return true;
    }

    /** The file after the held one, or null while that is not yet clear. */
    private Path successor() throws IOException {
        List<Path> files = EventLogFiles.oldestFirst(file);
        int at = -1;
        for (int i = 0; i < files.size(); i++) {
            if (heldKey.equals(key(files.get(i)))) {
                at = i;
            }
        }
        // not among them: deleted by retention or renamed out of the scheme (dateext): its
        // successor is the oldest file still there
        Path next = at < 0 ? files.get(0) : at + 1 < files.size() ? files.get(at + 1) : null;
        if (next == null || (next.equals(file) && sizeOf(file) == 0)) {
            return null;
        }
        return next;
    }

    private boolean openLive() throws IOException {
        FileChannel ch = openVerified(file);
        if (ch == null) {
            return false;
        }
        held = ch;
        return true;
    }

    /** Opens {@code p} and sets {@link #heldKey} to the file opened; null when it vanished or moved meanwhile. */
    private FileChannel openVerified(Path p) throws IOException {
        Object before = key(p);
        if (before == null) {
            return null;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!before.equals(key(p))) {
            ch.close();
            return null;
        }
        heldKey = before;
        return ch;
    }

    static Object key(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static long sizeOf(Path p) throws IOException {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static boolean idle(Duration pollInterval) {
        try {
            Thread.sleep(pollInterval.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (held != null) {
            try {
                held.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to lose
            }
        }
    }
}
