package io.smartrunner.event;

import java.time.Instant;
import java.util.List;

/**
 * A subscriber of the {@link EventFanout} whose state spans a window of past events (a gauge set
 * by the last {@code breaker-open}, a failure rate over five minutes). At start-up, before any new
 * event, it is handed the event log's recent events that the runner read back for its own
 * breakers, so a restart neither empties its window nor resets a gauge the engine restored
 * (reviewer O: {@code smartrunner_breaker_open} said 0 for a breaker the new runner held open,
 * and the fleet failure-rate alert judged, and fired, on the first ten ends after each start).
 * Nothing is sent or counted as new for a recalled event.
 */
public interface RecallsRecentEvents {
    /**
     * @param oldestFirst the log's events of the start-up lookback (docs/failure-classes.md, "A
     *                    restart keeps the window"), oldest first, only those of pods the runner has
     * @param now         the time they are aged against, on the clock that dated them
     */
    void recall(List<EventRecord> oldestFirst, Instant now);
}
