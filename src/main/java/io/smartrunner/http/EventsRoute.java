package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventJson;
import io.smartrunner.event.EventLogPages;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.Events;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * {@code GET /api/events} (filters, paging by cursor) and {@code GET /api/events/stream}
 * (server-sent events). Both read the event log itself, so they show exactly what was written,
 * redacted as it was written; a cursor is a line offset in the log's byte stream across its rotated
 * files ({@link EventLogPages}: the plain offset in the file until it is first rotated), and a
 * stream's event ids are cursors, so a client that reconnects with {@code Last-Event-ID} misses
 * nothing, across rotations too. In cluster mode they read the fleet's events in PostgreSQL
 * instead ({@link EventPages}), where a cursor is the event's {@code seq}.
 */
final class EventsRoute {
    static final int MAX_LIMIT = 1000;
    static final int MAX_STREAMS = 16;
    /** Well under http.requestTimeoutMs (at least 6 s): a quiet stream never looks like an idle connection. */
    private static final long KEEP_ALIVE_MS = 5_000;
    private static final Set<String> PAGE_PARAMS = Set.of("pod", "profile", "event", "after", "before", "limit");
    private static final Set<String> STREAM_PARAMS = Set.of("pod", "profile", "event", "after");

    private final EventPages pages;
    private final NewEvents newEvents;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    /**
     * One filtered read of the log's files at a time, the others waiting their turn (up to
     * {@link #SCAN_WAIT_MS}): a rare event's page reads the whole history, and eight such reads at
     * once took both cores of a 10 000-profile runner from its sessions (starts 462/s → 208/s for
     * 9 s, reviewer R14). An unfiltered page reads only its own lines.
     */
    private final Semaphore filteredScans = new Semaphore(1, true);
    static final long SCAN_WAIT_MS = 10_000;
    private final long stallBoundMs;

    /**
     * @param pages        the runner's log, or the fleet's events in cluster mode
     * @param stallBoundMs a stream whose client takes nothing of what was sent for this long is
     *                     closed, its slot freed (http.requestTimeoutMs; see {@link StreamDelivery})
     */
    EventsRoute(EventPages pages, NewEvents newEvents, long stallBoundMs) {
        this.pages = pages;
        this.newEvents = newEvents;
        this.stallBoundMs = stallBoundMs;
    }

    /** The page as JSON: {@code {"events": [...], "first": cursor, "next": cursor}}, each event as its log line. */
    String page(String rawQuery) {
        Query q = new Query(rawQuery, PAGE_PARAMS);
        EventFilter filter = filter(q);
        int limit = (int) q.longIn("limit", 1, MAX_LIMIT, 100);
        long after = q.longIn("after", 0, Long.MAX_VALUE, -1);
        long before = q.longIn("before", 0, Long.MAX_VALUE, -1);
        if (after >= 0 && before >= 0) {
            throw new ApiError(400, "query: give after or before, not both");
        }
        boolean scan = pages.filtersByScanning()
                && (filter.pod() != null || filter.profileId() != null || filter.event() != null);
        if (scan && !acquire(filteredScans)) {
            throw new ApiError(503, "another filtered read of the event log is under way (each reads the log, its"
                    + " rotated files too, until it finds its page); try again");
        }
        EventLogReader.Page page;
        try {
            page = after >= 0 ? pages.pageAfter(after, limit, filter)
                    : pages.pageBefore(before >= 0 ? before : Long.MAX_VALUE, limit, filter);
        } finally {
            if (scan) {
                filteredScans.release();
            }
        }
        StringBuilder json = new StringBuilder(page.events().size() * 256 + 64).append("{\"events\":[");
        for (int i = 0; i < page.events().size(); i++) {
            json.append(i == 0 ? "" : ",").append(EventJson.toLine(page.events().get(i)));
        }
        return json.append("],\"first\":").append(page.first()).append(",\"next\":").append(page.next()).append('}')
                .toString();
    }

    /** Filtered reads waiting for their turn (tests). */
    int scansWaiting() {
        return filteredScans.getQueueLength();
    }

    private static boolean acquire(Semaphore gate) {
        try {
            return gate.tryAcquire(SCAN_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Holds the exchange open, writing each new matching event, until the client goes away. */
    void stream(HttpExchange ex) throws IOException {
        Query q = new Query(ex.getRequestURI().getRawQuery(), STREAM_PARAMS);
        EventFilter filter = filter(q);
        String lastId = ex.getRequestHeaders().getFirst("Last-Event-ID");
        long offset = q.longIn("after", 0, Long.MAX_VALUE, -1);
        if (offset < 0 && lastId != null) {
            offset = Query.longIn("Last-Event-ID", lastId.strip(), 0, Long.MAX_VALUE);
        }
        long end = pages.end();
        // a cursor past the end (from an older or rebuilt log) is clamped as /api/events clamps it:
        // left as it is, the stream would stay silent until the log grew past it
        boolean clamped = offset > end;
        if (offset < 0 || clamped) {
            offset = end;
        }
        if (!streams.tryAcquire()) {
            throw new ApiError(503, "too many event streams open (" + MAX_STREAMS + "); close one");
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.sendResponseHeaders(200, 0);
            Sent out = new Sent(ex.getResponseBody(),
                    new StreamDelivery(ex.getLocalAddress(), ex.getRemoteAddress(), stallBoundMs));
            // a clamped cursor is sent as an id at once, so a reconnect resumes from it
            out.send(": connected\n\n" + (clamped ? "id: " + offset + "\n\n" : ""));
            pump(out, offset, filter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.release();
            ex.close();
        }
    }

    /**
     * Returns when the client takes nothing of what was sent for the bound (it reconnects with
     * Last-Event-ID and loses nothing).
     *
     * @throws IOException when the client has gone (the normal end of a stream), or a write blocked
     *                     for the idle timeout
     */
    private void pump(Sent out, long from, EventFilter filter) throws IOException, InterruptedException {
        long offset = from;
        while (!Thread.currentThread().isInterrupted() && !out.stalled()) {
            long seen = newEvents.generation();
            EventLogReader.Page page = pages.pageAfter(offset, MAX_LIMIT, filter);
            if (page.next() > offset || !page.events().isEmpty()) {
                StringBuilder frames = new StringBuilder();
                // an event's id is the cursor just after it: resuming from it never repeats or skips one
                for (int i = 0; i < page.events().size(); i++) {
                    frames.append("id: ").append(page.ends().get(i)).append("\ndata: ")
                            .append(EventJson.toLine(page.events().get(i))).append("\n\n");
                }
                if (page.events().isEmpty()) {
                    // lines that did not match moved the cursor: a reconnect need not read them again
                    frames.append("id: ").append(page.next()).append("\n\n");
                }
                out.send(frames.toString());
                offset = page.next();
                continue;
            }
            newEvents.awaitAfter(seen, KEEP_ALIVE_MS);
            if (newEvents.generation() == seen) {
                out.send(": keep-alive\n\n");
            }
        }
    }

    /** A stream's body, counting what it hands to the socket. */
    private static final class Sent {
        private final OutputStream out;
        private final StreamDelivery delivery;
        private long written;

        Sent(OutputStream out, StreamDelivery delivery) {
            this.out = out;
            this.delivery = delivery;
        }

        void send(String frames) throws IOException {
            byte[] bytes = frames.getBytes(StandardCharsets.UTF_8);
            out.write(bytes);
            out.flush();
            written += bytes.length;
        }

        boolean stalled() {
            return delivery.stalled(written, System.nanoTime());
        }
    }

    private static EventFilter filter(Query q) {
        String pod = q.name("pod");
        String profile = q.name("profile");
        String event = q.get("event");
        if (event != null && !Events.KINDS.contains(event)) {
            // as the CLI's --event: a misspelt kind is a mistake, not a filter that matches nothing
            throw new ApiError(400, "event: \"" + Query.clip(event) + "\" is not an event kind, expected one of "
                    + String.join(", ", Events.KINDS));
        }
        return new EventFilter(pod, profile, event);
    }
}
