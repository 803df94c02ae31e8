package io.smartrunner.engine;

import io.smartrunner.event.EventLog;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.SessionEnded;
import io.smartrunner.event.EventRecord.SessionStarted;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@link EndedInLog} on the event log: reads it backwards from the end (in chunks, through
 * {@link EventLog#tail}), on into the rotated files {@code .1}, {@code .2}… as far as need be, and
 * stops as soon as every asked session's {@code start} has been seen, since a session's terminal
 * event always comes after its start. The cost is the tail back to the oldest open session, not the
 * whole log. A file renamed out of the numbered chain (logrotate's {@code dateext}) is not read: an
 * end in it is not found, and its session ends as lost a second time (docs/event-log.md).
 */
final class BackwardEndScan implements EndedInLog {
    private final Path file;

    BackwardEndScan(Path file) {
        this.file = file;
    }

    /**
     * Hands {@code stopAt} the log's events newest first, across its files, until it answers true;
     * tail(…, 1, filter) stops at the first event the filter accepts.
     */
    private void tail(Predicate<EventRecord> stopAt) {
        try (EventLog log = EventLog.open(file)) {
            log.tail(1, stopAt);
        }
    }

    @Override
    public Map<String, EventRecord> terminalEvents(Set<String> sessionIds) {
        if (sessionIds.isEmpty()) {
            return Map.of();
        }
        Set<String> startNotSeen = new HashSet<>(sessionIds);
        Map<String, EventRecord> ends = new HashMap<>();
        // tail(…, 1, filter) stops at the first event the filter accepts: accept the line that
        // completes the set of starts, and collect the terminal events on the way there
        tail(e -> {
            String id = e.sessionId();
            if (id == null || !sessionIds.contains(id)) {
                return false;
            }
            if (e instanceof SessionStarted) {
                startNotSeen.remove(id);
            } else if (e instanceof SessionEnded) {
                ends.put(id, e); // newest first: the oldest terminal event found last wins
            }
            return startNotSeen.isEmpty();
        });
        return ends;
    }

    /**
     * Reads backwards from the end and stops at the first line older than {@code since}: a start
     * is "unended" when no terminal event of its session came after it (seen earlier, reading
     * backwards). Lines are in the order of the wall-clock instants they carry (one runner at a
     * time writes the log), so the cost is the tail since {@code since}.
     */
    @Override
    public List<EventRecord> unendedStarts(Instant since, Set<String> known) {
        Set<String> ended = new HashSet<>();
        List<EventRecord> newestFirst = new ArrayList<>();
        tail(e -> {
            if (since != null && e.ts().isBefore(since)) {
                return true; // the store is in sync up to here: stop
            }
            String id = e.sessionId();
            if (id == null) {
                return false;
            }
            if (e instanceof SessionEnded) {
                ended.add(id);
            } else if (e instanceof SessionStarted && !ended.contains(id) && !known.contains(id)) {
                newestFirst.add(e);
            }
            return false;
        });
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** Reads backwards from the end, stopping at the first line older than {@code since} or after {@code atMost}. */
    @Override
    public List<EventRecord> recent(Instant since, int atMost) {
        List<EventRecord> newestFirst = new ArrayList<>();
        tail(e -> {
            if (e.ts().isBefore(since) || newestFirst.size() >= atMost) {
                return true;
            }
            newestFirst.add(e);
            return false;
        });
        Collections.reverse(newestFirst);
        return newestFirst;
    }
}
