package io.smartrunner.event;

import io.smartrunner.event.EventLogReader.Page;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * One page of matching events of one open log file, after or before a cursor (a line offset),
 * for {@link EventLogReader}. Lines a filter's bytes rule out ({@link EventFilter#mayContain})
 * are not parsed.
 */
final class PageScan {
    private PageScan() {
    }

    /** Up to {@code limit} matching events from the complete lines after {@code after}, oldest first. */
    static Page after(FileChannel ch, long after, int limit, Predicate<EventRecord> filter, LineParser parser)
            throws IOException {
        List<EventRecord> out = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        long[] first = {-1};
        long[] next = {after};
        long end = LineScanner.completeLength(ch, ch.size());
        if (after >= end) {
            return Page.empty(Math.min(after, end));
        }
        List<ByteNeedle> needles = needles(filter);
        LineScanner.forward(ch, after, end, (buf, off, len, at) -> {
            if (out.size() == limit) {
                return false;
            }
            EventRecord e = EventFilter.mayContain(needles, buf, off, len) ? parser.parse(buf, off, len) : null;
            if (e != null && filter.test(e)) {
                out.add(e);
                ends.add(at + len + 1);
                first[0] = first[0] < 0 ? at : first[0];
            }
            next[0] = at + len + 1;
            return true;
        });
        return new Page(out, ends, first[0] < 0 ? next[0] : first[0], next[0]);
    }

    /** The last {@code limit} matching events among the complete lines before {@code before}, oldest first. */
    static Page before(FileChannel ch, long before, int limit, Predicate<EventRecord> filter, LineParser parser)
            throws IOException {
        Deque<EventRecord> newestFirst = new ArrayDeque<>();
        List<Long> ends = new ArrayList<>();
        long end = LineScanner.completeLength(ch, Math.min(before, ch.size()));
        long[] first = {end};
        List<ByteNeedle> needles = needles(filter);
        LineScanner.backward(ch, end, (buf, off, len, at) -> {
            if (newestFirst.size() == limit) {
                return false;
            }
            EventRecord e = EventFilter.mayContain(needles, buf, off, len) ? parser.parse(buf, off, len) : null;
            if (e != null && filter.test(e)) {
                newestFirst.add(e);
                ends.add(at + len + 1);
            }
            first[0] = at;
            return true;
        });
        List<EventRecord> out = new ArrayList<>(newestFirst);
        Collections.reverse(out);
        Collections.reverse(ends);
        return new Page(out, ends, first[0], end);
    }

    private static List<ByteNeedle> needles(Predicate<EventRecord> filter) {
        return filter instanceof EventFilter f ? f.needles() : List.of();
    }
}
