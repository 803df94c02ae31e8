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

    private EventRecord redacted(EventRecord e) {
        return redactor.redact(e);
    }

    int eventCount() {
        return events.size();
    }

    /** Profile and session rows waiting for the store (their events may already be in the log). */
    int stateRowCount() {
        return profiles.size() + sessions.size();
    }

    /** What is pending now, to go back to if a decision added afterwards must be taken back. */
    Mark mark() {
        return new Mark(events.size(), new LinkedHashMap<>(profiles), new LinkedHashMap<>(sessions));
    }

    /**
     * Drops what was added since {@code mark} and was not written: a decision whose events could
     * not be appended is taken back (a manual change answered "unavailable"). Events already in
     * the log stay written; only the ones still pending go.
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
        return events.isEmpty() && profiles.isEmpty() && sessions.isEmpty();
    }

    /**
     * Appends the pending events, then persists the pending state.
     *
     * @return the events that were written by this call (for listeners)
     * @throws EventLogException when the log cannot be written; nothing was persisted
     * @throws StoreException    when the store cannot be written; the events were written
     */
    List<EventRecord> flush(EventSink sink, StateStore store) {
        List<EventRecord> written = List.of();
        if (!events.isEmpty()) {
            sink.append(events);
            written = List.copyOf(events);
            events.clear();
        }
        if (!profiles.isEmpty() || !sessions.isEmpty()) {
            store.write(new StateWrite(List.copyOf(profiles.values()), List.copyOf(sessions.values())));
            profiles.clear();
            sessions.clear();
        }
        return written;
    }
}
