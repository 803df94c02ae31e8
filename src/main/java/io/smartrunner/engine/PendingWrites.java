package io.smartrunner.engine;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventSink;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.store.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decisions taken but not yet durable, and the order that makes them so: first their events are
 * appended to the log, then the state they record is persisted. A failing log or store keeps
 * the rest pending for the next try, so nothing is lost and nothing is persisted ahead of its event.
 */
final class PendingWrites {
    private final Redactor redactor;
    private final List<EventRecord> events = new ArrayList<>();
    private final Map<String, ProfileState> profiles = new LinkedHashMap<>();
    private final Map<String, SessionRecord> sessions = new LinkedHashMap<>();
    /**
     * Session rows that need not be written on their own right away ({@link #addLate}): they go
     * with the next write, or alone once {@link #lateDueNanos} has come.
     */
    private final Map<String, SessionRecord> late = new LinkedHashMap<>();
    private long lateDueNanos;

    PendingWrites(Redactor redactor) {
        this.redactor = redactor;
    }

    /** The one way into the log: every string param passes the redactor here, whoever built the event. */
    void add(List<EventRecord> newEvents, ProfileState profile, SessionRecord session) {
        for (EventRecord e : newEvents) {
            events.add(redacted(e));
        }
        if (profile != null) {
            profiles.put(profile.profileId(), profile);
        }
        if (session != null) {
            sessions.put(session.sessionId(), session);
        }
    }

    /**
     * A session row that adds nothing a restart needs before {@code dueNanos}: a launched
     * session's pid. The spawn waited for the session's start event and row; the pid only lets a
     * restart find the process by its pid as well as by its environment tag and its cgroup,
     * which find it without one. In a crash loop the session's end (whose row carries the pid)
     * usually comes first, and a restart costs one store write instead of two.
     */
    void addLate(SessionRecord session, long dueNanos) {
        if (late.isEmpty()) {
            lateDueNanos = dueNanos;
        }
        late.put(session.sessionId(), session);
    }

    /** When the oldest late row must be written even if nothing else is; meaningful only while {@link #hasLate}. */
    long lateDueNanos() {
        return lateDueNanos;
    }

    boolean hasLate() {
        return !late.isEmpty();
    }

    /** Something must be written now: anything but late rows, or late rows that are due. */
    boolean mustWrite(long nowNanos) {
        return !events.isEmpty() || !profiles.isEmpty() || !sessions.isEmpty()
                || !late.isEmpty() && nowNanos - lateDueNanos >= 0;
    }

    /** The runner stops: the late rows are due now. */
    void lateRowsDueNow(long nowNanos) {
        lateDueNanos = nowNanos;
    }

    private EventRecord redacted(EventRecord e) {
        return redactor.redact(e);
    }

    int eventCount() {
        return events.size();
    }

    /** Profile and session rows waiting for the store (their events may already be in the log). */
    int stateRowCount() {
        return profiles.size() + sessions.size() + (int) late.keySet().stream().filter(id -> !sessions.containsKey(id)).count();
    }

    /** What is pending now, to go back to if a decision added afterwards must be taken back. */
    Mark mark() {
        return new Mark(events.size(), new LinkedHashMap<>(profiles), new LinkedHashMap<>(sessions));
    }

    /**
     * Drops what was added since {@code mark} and was not written: a decision whose events could
     * not be appended is taken back (a manual change answered "unavailable"). Events already in
     * the log stay written; only the ones still pending go. Late rows are not decisions and stay.
     */
    void rollBackTo(Mark mark) {
        if (events.size() > mark.events()) {
            events.subList(mark.events(), events.size()).clear();
        }
        profiles.clear();
        profiles.putAll(mark.profiles());
        sessions.clear();
        sessions.putAll(mark.sessions());
    }

    record Mark(int events, Map<String, ProfileState> profiles, Map<String, SessionRecord> sessions) {
    }

    boolean isEmpty() {
        return events.isEmpty() && profiles.isEmpty() && sessions.isEmpty() && late.isEmpty();
    }

    /**
     * Appends the pending events, then persists the pending state, with the late rows when
     * anything else is written or {@code lateToo} (a row pending for the same session replaces
     * its late one: it is newer).
     *
     * @return the events that were written by this call (for listeners)
     * @throws EventLogException when the log cannot be written; nothing was persisted
     * @throws StoreException    when the store cannot be written; the events were written
     */
    List<EventRecord> flush(EventSink sink, StateStore store, boolean lateToo) {
        List<EventRecord> written = List.of();
        if (!events.isEmpty()) {
            sink.append(events);
            written = List.copyOf(events);
            events.clear();
        }
        if (!profiles.isEmpty() || !sessions.isEmpty() || lateToo && !late.isEmpty()) {
            List<SessionRecord> rows = new ArrayList<>(late.size() + sessions.size());
            for (SessionRecord r : late.values()) {
                if (!sessions.containsKey(r.sessionId())) {
                    rows.add(r); // every write carries all rows still pending
                }
            }
            rows.addAll(sessions.values());
            store.write(new StateWrite(List.copyOf(profiles.values()), rows));
            profiles.clear();
            sessions.clear();
            late.clear();
        }
        return written;
    }
}
