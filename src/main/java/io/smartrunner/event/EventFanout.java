package io.smartrunner.event;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Hands each batch of events that reached the log to every subscriber (metrics, alerts, the live
 * stream). It runs on the supervisor's loop thread, so subscribers must return at once (count,
 * enqueue, signal); one that throws is reported and skipped, and never stops the loop or the
 * other subscribers. Thread-safe: subscribers may be added while events flow.
 */
public final class EventFanout implements Consumer<List<EventRecord>>, RecallsRecentEvents {
    private final List<Consumer<List<EventRecord>>> subscribers = new CopyOnWriteArrayList<>();
    private final Consumer<String> diagnostics;

    /** @param diagnostics where a failing subscriber is reported (one line) */
    public EventFanout(Consumer<String> diagnostics) {
        this.diagnostics = diagnostics;
    }

    public EventFanout subscribe(Consumer<List<EventRecord>> subscriber) {
        subscribers.add(subscriber);
        return this;
    }

    /** Hands the recalled events to each subscriber that keeps a window ({@link RecallsRecentEvents}). */
    @Override
    public void recall(List<EventRecord> oldestFirst, Instant now) {
        for (Consumer<List<EventRecord>> s : subscribers) {
            if (s instanceof RecallsRecentEvents r) {
                try {
                    r.recall(oldestFirst, now);
                } catch (RuntimeException e) {
                    diagnostics.accept("event subscriber " + s.getClass().getSimpleName() + " failed to recall: " + e);
                }
            }
        }
    }

    @Override
    public void accept(List<EventRecord> written) {
        for (Consumer<List<EventRecord>> s : subscribers) {
            try {
                s.accept(written);
            } catch (RuntimeException e) {
                diagnostics.accept("event subscriber " + s.getClass().getSimpleName() + " failed: " + e);
            }
        }
    }
}
