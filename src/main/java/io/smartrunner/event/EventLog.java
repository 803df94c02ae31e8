package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The whole event log as one stream: the rotated files oldest first, then the live file. Opening
 * takes a snapshot: every file is opened at once and the live file's end noted, so a rotation
 * while it is read neither repeats nor skips a line. Lines that are not events are skipped and
 * counted across all files ({@link #malformedNotice}). Not thread-safe.
 */
public final class EventLog implements AutoCloseable {
    private final Path file;
    private final List<Part> parts = new ArrayList<>();
    private final long liveEnd;
    private final List<String> skippedFiles;

    private record Part(Path path, FileChannel channel, Object key, long end, long size, EventLogReader reader) {
    }

    private EventLog(Path file) {
        this.file = file;
        if (Files.isDirectory(file) || LogFileChannels.blockingKind(file) != null) { // a character device reads as it is
            throw new EventLogException(file + ": is " + LogFileChannels.notAFile(file)
                    + ", not a file; cannot read events from it", null);
        }
        skippedFiles = EventLogFiles.notFiles(file);
        Path reading = file;
        try {
            for (Path p : EventLogFiles.oldestFirst(file)) {
                reading = p;
                Object key = LogFollower.key(p);
                FileChannel ch;
                try {
                    ch = LogFileChannels.openRead(p);
                } catch (NoSuchFileException e) {
                    continue;
                }
                long size = ch.size();
                parts.add(new Part(p, ch, key, LineScanner.completeLength(ch, size), size, new EventLogReader(p)));
            }
        } catch (IOException e) {
            close();
            throw new EventLogException(reading + ": cannot read events: " + JsonlEventSink.reason(e), e);
        }
        Part last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
        liveEnd = last != null && last.path().equals(file) ? last.end() : 0;
    }

    /** Opens every file of the log at {@code file} now (none existing reads as empty). */
    public static EventLog open(Path file) {
        return new EventLog(file);
    }

    /** Every event of the log, rotated files included, oldest first. */
    public static List<EventRecord> readAll(Path file) {
        List<EventRecord> out = new ArrayList<>();
        try (EventLog log = open(file)) {
            log.forEach(e -> true, out::add);
        }
        return out;
    }

    /** Streams the matching events of every complete line, oldest first, up to the snapshot's end. */
    public void forEach(Predicate<EventRecord> filter, Consumer<EventRecord> action) {
        for (Part p : parts) {
            p.reader().forEach(p.channel(), 0, p.end(), filter, action);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** The last {@code n} matching events across the files, oldest first. */
    public List<EventRecord> tail(int n, Predicate<EventRecord> filter) {
        List<EventRecord> out = new ArrayList<>();
        for (int i = parts.size() - 1; i >= 0 && out.size() < n; i--) {
            Part p = parts.get(i);
            List<EventRecord> older = p.reader().tail(p.channel(), p.end(), n - out.size(), filter);
            older.addAll(out);
            out = older;
        }
        return out;
    }

    /**
     * Follows the log from the snapshot's end across rotations until {@code keepGoing} says stop
     * or the thread is interrupted (see {@link LogFollower}). Ends this snapshot's use.
     */
    public void follow(Predicate<EventRecord> filter, Consumer<EventRecord> action, BooleanSupplier keepGoing,
                       Duration pollInterval) {
        Part live = parts.isEmpty() ? null : parts.get(parts.size() - 1);
        EventLogReader reader = new EventLogReader(file);
        LogFollower follower = live != null && live.path().equals(file) && live.key() != null
                ? new LogFollower(file, reader, live.channel(), live.key(), liveEnd)
                : parts.isEmpty() ? LogFollower.fromTheStart(file, reader) : new LogFollower(file, reader, 0);
        if (live != null && live.path().equals(file)) {
            parts.remove(live); // the follower owns its channel now
        }
        try (follower) {
            follower.follow(filter, action, keepGoing, pollInterval);
        }
    }

    /** The offset just after the live file's last complete line when the snapshot was taken. */
    public long liveEnd() {
        return liveEnd;
    }

    /**
     * One line for each numbered name next to the log that is not a file (a directory, a FIFO) and
     * was skipped, e.g. {@code logs/events.jsonl.3: is a directory, not a file of the event log; skipped}.
     */
    public List<String> skippedFiles() {
        return skippedFiles;
    }

    /** Lines read so far that were not events, in every file. */
    public long malformedLines() {
        return parts.stream().mapToLong(p -> p.reader().skippedLines()).sum();
    }

    /**
     * One line for people, or null when every line read was an event, e.g.
     * {@code logs/events.jsonl: skipped 3 malformed line(s) (first at line 120)}; the file is named
     * when the first was in a rotated one.
     */
    public String malformedNotice() {
        String summary = malformedSummary();
        return summary == null ? null : file + ": " + summary;
    }

    /** {@link #malformedNotice} without the log's name in front: {@code skipped 3 malformed line(s) (first at line 120)}. */
    public String malformedSummary() {
        long count = malformedLines();
        if (count == 0) {
            return null;
        }
        Part first = parts.stream().filter(p -> p.reader().skippedLines() > 0).findFirst().orElseThrow();
        long line = first.reader().firstSkippedLine();
        if (line < 0 && first.reader().firstSkippedByte() >= 0) {
            line = lineAt(first.channel(), first.reader().firstSkippedByte());
        }
        String place = line < 0 ? "" : " (first at " + (first.path().equals(file) ? ""
                : first.path().getFileName() + " ") + "line " + line + ")";
        return "skipped " + count + " malformed line(s)" + place;
    }

    /**
     * The bytes after a file's last '\n' (a line torn by a crash mid-write), never read, or null
     * when there are none: {@code a torn last line (12 bytes) of events.jsonl left out}.
     */
    public String tornNotice() {
        List<String> torn = new ArrayList<>();
        for (Part p : parts) {
            if (p.size() > p.end()) {
                torn.add("a torn last line (" + (p.size() - p.end()) + " bytes) of " + p.path().getFileName() + " left out");
            }
        }
        return torn.isEmpty() ? null : String.join("; ", torn);
    }

    /** The number of the line starting at {@code offset}: a scan of what comes before, done only when telling of a bad line. */
    private long lineAt(FileChannel ch, long offset) {
        long[] lines = {1};
        try {
            LineScanner.forward(ch, 0, offset, (buf, off, len) -> {
                lines[0]++;
                return true;
            });
            return lines[0];
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        for (Part p : parts) {
            try {
                p.channel().close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
        parts.clear();
    }
}
