package io.smartrunner.event;

import io.smartrunner.event.EventLogReader.Page;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * Pages of the whole event log, rotated files included, addressed by cursors that are offsets in
 * the log's byte stream: the live file starts at its {@link LogBase}, each rotated file right
 * before the next newer one. Renames and the deletion of the oldest file move no cursor; with no
 * rotation ever, a cursor is the plain offset in {@code events.jsonl}, as before. A cursor before
 * the oldest byte still kept reads from the oldest line kept. Each call works on a snapshot
 * (every file opened at once). Thread-safe: nothing is shared between calls.
 */
public final class EventLogPages {
    private static final int SNAPSHOT_TRIES = 50;
    private final Path file;

    public EventLogPages(Path file) {
        this.file = file;
    }

    /** One file of a snapshot: where it starts in the stream and how far its complete lines go. */
    private record Segment(FileChannel channel, long start, long length) {
        long end() {
            return start + length;
        }
    }

    /** The cursor after the last complete line: where a stream of new events starts. */
    public long end() {
        List<Segment> segments = snapshot();
        try {
            return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).end();
        } finally {
            close(segments);
        }
    }

    /** Up to {@code limit} matching events after the cursor {@code after}, oldest first. */
    public Page pageAfter(long after, int limit, Predicate<EventRecord> filter) {
        List<Segment> segments = snapshot();
        try {
            if (segments.isEmpty()) {
                return new Page(List.of(), List.of(), 0, 0);
            }
            long end = segments.get(segments.size() - 1).end();
            if (after >= end) {
                return new Page(List.of(), List.of(), Math.min(after, end), Math.min(after, end));
            }
            long at = Math.max(after, segments.get(0).start());
            List<EventRecord> events = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            long first = -1;
            long next = at;
            for (Segment s : segments) {
                if (s.end() <= at || events.size() == limit) {
                    continue;
                }
                Page p = new EventLogReader(file).pageAfter(s.channel(), Math.max(0, at - s.start()),
                        limit - events.size(), filter);
                events.addAll(p.events());
                p.ends().forEach(e -> ends.add(s.start() + e));
                if (first < 0 && !p.events().isEmpty()) {
                    first = s.start() + p.first();
                }
                next = s.start() + p.next();
                if (next < s.end()) {
                    break; // the page filled up inside this file
                }
            }
            return new Page(events, ends, first < 0 ? next : first, next);
        } catch (IOException e) {
            throw cannotRead(e);
        } finally {
            close(segments);
        }
    }

    /** The last {@code limit} matching events before the cursor {@code before}, oldest first. */
    public Page pageBefore(long before, int limit, Predicate<EventRecord> filter) {
        List<Segment> segments = snapshot();
        try {
            if (segments.isEmpty()) {
                return new Page(List.of(), List.of(), 0, 0);
            }
            long at = Math.min(before, segments.get(segments.size() - 1).end());
            List<EventRecord> events = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            long first = Math.max(at, segments.get(0).start());
            long pageEnd = -1;
            for (int i = segments.size() - 1; i >= 0 && events.size() < limit; i--) {
                Segment s = segments.get(i);
                if (s.start() >= at) {
                    continue;
                }
                Page p = new EventLogReader(file).pageBefore(s.channel(), Math.min(at, s.end()) - s.start(),
                        limit - events.size(), filter);
                events.addAll(0, p.events());
                List<Long> shifted = new ArrayList<>();
                p.ends().forEach(e -> shifted.add(s.start() + e));
                ends.addAll(0, shifted);
                pageEnd = pageEnd < 0 ? s.start() + p.next() : pageEnd;
                first = s.start() + p.first();
                at = s.start();
            }
            return new Page(events, ends, first, pageEnd < 0 ? first : pageEnd);
        } catch (IOException e) {
            throw cannotRead(e);
        } finally {
            close(segments);
        }
    }

    /**
     * Every file, oldest first, opened, with its place in the stream. Looked at newest first and
     * taken again when a rotation ran meanwhile (the base's file is not the live one, or a file
     * was seen twice).
     */
    private List<Segment> snapshot() {
        for (int attempt = 0; attempt < SNAPSHOT_TRIES; attempt++) {
            List<Segment> taken = trySnapshot();
            if (taken != null) {
                return taken;
            }
            Thread.onSpinWait();
        }
        throw new EventLogException(file + ": the event log kept rotating while being read; try again", null);
    }

    private List<Segment> trySnapshot() {
        List<FileChannel> opened = new ArrayList<>();
        try {
            LogBase before = LogBase.read(file);
            long base = LogBase.current(file);
            List<Path> files = EventLogFiles.oldestFirst(file);
            List<Segment> newestFirst = new ArrayList<>();
            List<Object> keys = new ArrayList<>();
            long start = base;
            int highest = 0;
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!p.equals(file)) {
                    highest = Math.max(highest, Integer.parseInt(name.substring(name.lastIndexOf('.') + 1)));
                }
            }
            for (int n = 0; n <= highest + 2; n++) { // + 2: files shifted up while this looks
                Path p = n == 0 ? file : EventLogFiles.rotated(file, n);
                Object key = LogFollower.key(p);
                if (key == null || !Files.isRegularFile(p)) {
                    continue; // a directory or FIFO there is not one of the log's files: never opened
                }
                FileChannel ch;
                try {
                    ch = LogFileChannels.openRead(p);
                } catch (NoSuchFileException e) {
                    return retry(opened);
                }
                opened.add(ch);
                if (keys.contains(key) || !key.equals(LogFollower.key(p))) {
                    return retry(opened);
                }
                keys.add(key);
                long length = n == 0 ? LineScanner.completeLength(ch, ch.size()) : ch.size();
                if (n > 0) {
                    start -= length;
                }
                newestFirst.add(new Segment(ch, n == 0 ? base : start, length));
            }
            LogBase after = LogBase.read(file);
            if (before == null ? after != null : !before.equals(after)) {
                return retry(opened);
            }
            List<Segment> out = new ArrayList<>(newestFirst);
            Collections.reverse(out);
            return out;
        } catch (IOException e) {
            close(opened.stream().map(c -> new Segment(c, 0, 0)).toList());
            throw cannotRead(e);
        }
    }

    private static List<Segment> retry(List<FileChannel> opened) {
        close(opened.stream().map(c -> new Segment(c, 0, 0)).toList());
        return null;
    }

    private static void close(List<Segment> segments) {
        for (Segment s : segments) {
            try {
                s.channel().close();
            } catch (IOException ignored) {
                // read-only
            }
        }
    }

    private EventLogException cannotRead(IOException e) {
        return new EventLogException(file + ": cannot read events: " + JsonlEventSink.reason(e), e);
    }
}
