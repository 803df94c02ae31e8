package io.smartrunner.engine;

import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import java.util.ArrayList;
import java.util.List;

/** Keeps appended events in order; can be told to fail like a full disk. */
final class RecordingEventSink implements EventSink {
    final List<EventRecord> events = new ArrayList<>();
    boolean diskFull;
    /** Every call of append, failed or not: what a spinning retry loop would run up. */
    int attempts;

    @Override
    public synchronized void append(List<EventRecord> batch) {
        attempts++;
        if (diskFull) {
            throw new EventLogException("logs/events.jsonl: cannot append events: No space left on device", null);
        }
        events.addAll(batch);
    }

    synchronized List<String> names(String profileId) {
        return events.stream().filter(e -> profileId.equals(e.profileId())).map(EventRecord::event).toList();
    }

    @Override
    public void close() {
    }
}
