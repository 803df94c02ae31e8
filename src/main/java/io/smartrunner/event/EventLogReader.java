package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads an event log written by {@link JsonlEventSink}, including while it is being written.
 * Only complete ('\n'-terminated) lines are read; a line that is not a valid event (torn, edited
 * by hand) is skipped and counted in {@link #skippedLines()} ({@link LineParser}); pages are
 * {@link PageScan}'s. A missing file reads as empty.
 * Offsets are byte offsets of line starts: what {@link #forEach} and {@link #follow} return can
 * be passed back to continue without gap or repeat. Not thread-safe.
 */
public final class EventLogReader {
    /** How often {@link #follow} looks for new lines. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

    private final Path file;
    private final LineParser lines = new LineParser();

    public EventLogReader(Path file) {
        this.file = file;
    }

    /** Every event in the file, oldest first. */
    public static List<EventRecord> readAll(Path file) {
        List<EventRecord> out = new ArrayList<>();
        new EventLogReader(file).forEach(0, e -> true, out::add);
        return out;
    }

    /** The last {@code n} events matching {@code filter}, oldest first; reads backwards from the end. */
    public static List<EventRecord> tail(Path file, int n, Predicate<EventRecord> filter) {
        return new EventLogReader(file).tail(completeLength(file), n, filter);
    }

    /** See {@link #follow(long, Predicate, Consumer, BooleanSupplier, Duration)}. */
    public static long follow(Path file, long fromOffset, Predicate<EventRecord> filter,
                              Consumer<EventRecord> action, BooleanSupplier keepGoing) {
        return new EventLogReader(file).follow(fromOffset, filter, action, keepGoing, DEFAULT_POLL_INTERVAL);
    }

    /** The offset just after the file's last complete line: where a tail ends and a follow starts. */
    public static long completeLength(Path file) {
        try (FileChannel ch = LogFileChannels.openRead(file)) {
            return LineScanner.completeLength(ch, ch.size());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** Lines seen so far that were not valid events. */
    public long skippedLines() {
        return lines.skippedLines();
    }

    /** The line number of the first of {@link #skippedLines} when read forwards from the start, else -1. */
    public long firstSkippedLine() {
        return lines.firstSkippedLine();
    }

    /** The offset of the first of {@link #skippedLines} when its number is not known (a tail), else -1. */
    public long firstSkippedByte() {
        return lines.firstSkippedByte();
    }

    public Path file() {
        return file;
    }

    /**
     * Streams the matching events of the complete lines from {@code fromOffset} to the current end.
     *
     * @param fromOffset a line start (0, or an offset returned earlier)
     * @return the offset just after the last complete line read; when the thread is interrupted,
     *         reading stops early and this is the offset reached (the interrupt stays set)
     */
    public long forEach(long fromOffset, Predicate<EventRecord> filter, Consumer<EventRecord> action) {
        return forEach(fromOffset, Long.MAX_VALUE, filter, action);
    }

    /** {@link #forEach(long, Predicate, Consumer)}, reading only the complete lines before {@code upTo}. */
    public long forEach(long fromOffset, long upTo, Predicate<EventRecord> filter, Consumer<EventRecord> action) {
        try (FileChannel ch = LogFileChannels.openRead(file)) {
            return forEach(ch, fromOffset, Math.min(upTo, ch.size()), filter, action);
        } catch (NoSuchFileException | ClosedByInterruptException e) {
            return fromOffset;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** {@link #forEach(long, long, Predicate, Consumer)} on an open channel (a follower holds one across a rename). */
    long forEach(FileChannel ch, long fromOffset, long upTo, Predicate<EventRecord> filter,
                 Consumer<EventRecord> action) {
        long[] reached = {fromOffset};
        lines.forwardFrom(fromOffset);
        try {
            return LineScanner.forward(ch, fromOffset, upTo, (buf, off, len, at) -> {
                lines.nextLine(at);
                EventRecord e = lines.parse(buf, off, len);
                if (e != null && filter.test(e)) {
                    action.accept(e);
                }
                reached[0] += len + 1;
                return true;
            });
        } catch (ClosedByInterruptException e) {
            return reached[0];
        } catch (IOException e) {
            throw cannotRead(file, e);
        } finally {
            lines.readDone();
        }
    }

    /**
     * The last {@code n} events matching {@code filter} among the lines before {@code upTo},
     * oldest first. Reads backwards in chunks, so the cost is the tail's, not the file's.
     *
     * @param upTo a line boundary, normally {@link #completeLength(Path)}
     */
    public List<EventRecord> tail(long upTo, int n, Predicate<EventRecord> filter) {
        if (n <= 0) {
            return List.of();
        }
        try (FileChannel ch = LogFileChannels.openRead(file)) {
            return tail(ch, upTo, n, filter);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** {@link #tail(long, int, Predicate)} on an open channel. */
    List<EventRecord> tail(FileChannel ch, long upTo, int n, Predicate<EventRecord> filter) {
        if (n <= 0) {
            return List.of();
        }
        Deque<EventRecord> newestFirst = new ArrayDeque<>();
        try {
            LineScanner.backward(ch, LineScanner.completeLength(ch, Math.min(upTo, ch.size())),
                    (buf, off, len, at) -> {
                        lines.lineAt(at);
                        EventRecord e = lines.parse(buf, off, len);
                        if (e != null && filter.test(e)) {
                            newestFirst.add(e);
                        }
                        return newestFirst.size() < n;
                    });
        } catch (IOException e) {
            throw cannotRead(file, e);
        } finally {
            lines.readDone();
        }
        List<EventRecord> out = new ArrayList<>(newestFirst);
        Collections.reverse(out);
        return out;
    }

    /**
     * A page of matching events, oldest first, with cursors (line offsets) to page on.
     *
     * @param ends  for each event, the offset just after its line: a cursor that resumes after it
     * @param first where the page's first line starts: the cursor for the page before it
     * @param next  just after the page's last line: the cursor for the page after it
     */
    public record Page(List<EventRecord> events, List<Long> ends, long first, long next) {
        public Page {
            events = List.copyOf(events);
            ends = List.copyOf(ends);
        }

        static Page empty(long at) {
            return new Page(List.of(), List.of(), at, at);
        }
    }

    /** Up to {@code limit} matching events from the complete lines after {@code after}, oldest first. */
    public Page pageAfter(long after, int limit, Predicate<EventRecord> filter) {
        try (FileChannel ch = LogFileChannels.openRead(file)) {
            return pageAfter(ch, after, limit, filter);
        } catch (NoSuchFileException e) {
            return Page.empty(0);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** {@link #pageAfter(long, int, Predicate)} on an open channel. */
    Page pageAfter(FileChannel ch, long after, int limit, Predicate<EventRecord> filter) throws IOException {
        return PageScan.after(ch, after, limit, filter, lines);
    }

    /** The last {@code limit} matching events among the complete lines before {@code before}, oldest first. */
    public Page pageBefore(long before, int limit, Predicate<EventRecord> filter) {
        try (FileChannel ch = LogFileChannels.openRead(file)) {
            return pageBefore(ch, before, limit, filter);
        } catch (NoSuchFileException e) {
            return Page.empty(0);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** {@link #pageBefore(long, int, Predicate)} on an open channel. */
    Page pageBefore(FileChannel ch, long before, int limit, Predicate<EventRecord> filter) throws IOException {
        return PageScan.before(ch, before, limit, filter, lines);
    }

    /**
     * Hands each new matching event to {@code action} as its line is completed, polling every
     * {@code pollInterval}, until {@code keepGoing} says stop (asked before every poll) or the
     * thread is interrupted. A half-written last line is waited for, never read half. If the file
     * shrinks below the offset (copytruncate), reading restarts from its beginning; when the log is
     * rotated, the rest of the old file is read and then the new one ({@link LogFollower}).
     *
     * @return the offset reached, to resume from
     */
    public long follow(long fromOffset, Predicate<EventRecord> filter, Consumer<EventRecord> action,
                       BooleanSupplier keepGoing, Duration pollInterval) {
        try (LogFollower follower = new LogFollower(file, this, fromOffset)) {
            return follower.follow(filter, action, keepGoing, pollInterval);
        }
    }

    private static EventLogException cannotRead(Path file, IOException e) {
        return new EventLogException(file + ": cannot read events: " + JsonlEventSink.reason(e), e);
    }
}
