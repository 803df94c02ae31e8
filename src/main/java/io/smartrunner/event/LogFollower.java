package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Follows an event log across rotations. It holds the file it reads open, so a rename (ours, or
 * logrotate's) does not move the bytes under it; when the path names another file (by inode),
 * it first drains the held file to its last complete line, then goes on with the file that came
 * after it ({@link #snapshot}, checked twice): the next rotated one if it fell behind by more than one rotation, else the new live
 * file once something has been written to it (so a file logrotate created before the runner
 * reopened is not switched to while the runner still appends to the old one). A file cut back
 * below the offset (copytruncate) is read again from its start. Not thread-safe.
 * <p>Over ~250 lines on purpose: one state machine (the held file, its offset, its successor) whose
 * steps share that state; split, each part would need all of it.
 */
final class LogFollower implements AutoCloseable {
    private final Path file;
    private final EventLogReader reader;
    private FileChannel held;
    private Object heldKey;
    private long offset;
    /** Polls in a row the held file was in no listing. */
    private int missing;
    private boolean fromOldest;
    private static final int MISSING_POLLS = 5;

    /** Starts at {@code fromOffset} of whatever file {@code file} names when the first poll opens it. */
    LogFollower(Path file, EventLogReader reader, long fromOffset) {
        this.file = file;
        this.reader = reader;
        this.offset = fromOffset;
    }

    /**
     * Follows a log that had no file at all when the caller looked: everything that appears is
     * new, so the first poll that finds files starts at the oldest (a rotation right after the
     * log was created then loses nothing).
     */
    static LogFollower fromTheStart(Path file, EventLogReader reader) {
        LogFollower f = new LogFollower(file, reader, 0);
        f.fromOldest = true;
        return f;
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

    /** When the held file is no longer the live one: drain it and switch. @return whether it switched */
    private boolean moveOn(Predicate<EventRecord> filter, Consumer<EventRecord> action) throws IOException {
        if (heldKey.equals(key(file))) {
            return false;
        }
        Path successor = successor();
        if (successor == null) {
            return false;
        }
        Object was = heldKey;
        readHeld(filter, action); // anything written to the old file before the switch
        FileChannel ch = openVerified(successor);
        if (ch == null) {
            return false;
        }
        Object next = heldKey;
        heldKey = was;
        Path again = successor();
        // the listing raced with a rename chain if a second look disagrees: try again next poll
        if (again == null || !next.equals(key(again))) {
            ch.close();
            return false;
        }
        held.close();
        held = ch;
        heldKey = next;
        offset = 0;
        missing = 0;
        return true;
    }

    /** The file after the held one, or null while that is not yet clear. */
    private Path successor() throws IOException {
        List<Path> files = new ArrayList<>();
        List<Object> keys = new ArrayList<>();
        if (!snapshot(files, keys)) {
            return null;
        }
        int at = keys.indexOf(heldKey);
        Path next;
        if (at >= 0) {
            missing = 0;
            next = at + 1 < files.size() ? files.get(at + 1) : null;
        } else if (++missing < MISSING_POLLS) {
            return null; // perhaps only a look that crossed a rename: look again before believing it
        } else {
            // deleted by retention or renamed out of the scheme (dateext): the oldest file still there
            next = files.isEmpty() ? null : files.get(0);
        }
        if (next == null || (next.equals(file) && sizeOf(file) == 0)) {
            return null; // the live file is not there yet, or nothing was written to it yet
        }
        return next;
    }

    /**
     * The files of the log with their inodes, oldest first. Looked at newest first (live, .1, .2,
     * ...), against the direction a rotation renames in (oldest first): a file being shifted is
     * then seen twice (refused, look again later) but never missed, so the order is whole.
     *
     * @return false when a file was seen twice
     */
    private boolean snapshot(List<Path> files, List<Object> keys) throws IOException {
        int highest = 0;
        for (Path p : EventLogFiles.oldestFirst(file)) {
            String suffix = p.getFileName().toString().substring(file.getFileName().toString().length());
            if (!suffix.isEmpty()) {
                highest = Math.max(highest, Integer.parseInt(suffix.substring(1)));
            }
        }
        Set<Object> seen = new HashSet<>();
        for (int n = 0; n <= highest + 2; n++) { // + 2: files shifted up while this looks
            Path p = n == 0 ? file : EventLogFiles.rotated(file, n);
            Object k = key(p);
            if (k == null || !Files.isRegularFile(p)) {
                continue; // a directory or FIFO there is not one of the log's files: never opened
            }
            if (!seen.add(k)) {
                return false;
            }
            files.add(0, p);
            keys.add(0, k);
        }
        return true;
    }

    private boolean openLive() throws IOException {
        Path first = file;
        if (fromOldest) {
            List<Path> files = new ArrayList<>();
            if (!snapshot(files, new ArrayList<>()) || files.isEmpty()) {
                return false;
            }
            first = files.get(0);
        }
        FileChannel ch = openVerified(first);
        if (ch == null) {
            return false;
        }
        held = ch;
        return true;
    }

    /** Opens {@code p} and sets {@link #heldKey} to the file opened; null when it vanished or moved meanwhile. */
    private FileChannel openVerified(Path p) throws IOException {
        Object before = key(p);
        if (before == null || Files.isDirectory(p) || LogFileChannels.blockingKind(p) != null) {
            return null; // not there, or not a file (yet): looked at again at the next poll
        }
        FileChannel ch;
        try {
            ch = LogFileChannels.openRead(p);
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
