package io.smartrunner.engine;

import io.smartrunner.event.EventRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which of some sessions already have their terminal event ({@code finish} or {@code error}) in
 * the event log. At start-up, a session the store still shows running may have ended in the log
 * while its row could not be updated (a full disk): it must not get a second terminal event.
 */
@FunctionalInterface
public interface EndedInLog {
    /** @return each of {@code sessionIds} that ended in the log, with its terminal event */
    Map<String, EventRecord> terminalEvents(Set<String> sessionIds);

    /**
     * The sessions whose {@code start} is in the log at or after {@code since} and that have no
     * terminal event, except {@code known} (the store's open sessions, handled on their own). At
     * start-up these are the starts whose rows never reached the store (it failed while the log
     * did not) and that were never launched, since a launch waits for the store.
     *
     * @param since where the log is known to be in sync with the store; null: the whole log
     * @return their {@code start} events, oldest first
     */
    default List<EventRecord> unendedStarts(Instant since, Set<String> known) {
        return List.of();
    }

    /**
     * The log's events at or after {@code since}, at most {@code atMost} of the newest, oldest
     * first: at start-up the pods' breakers take back their windows from them.
     */
    default List<EventRecord> recent(Instant since, int atMost) {
        return List.of();
    }

    /** For tests and tools without a log: nothing ended. */
    static EndedInLog none() {
        return ids -> Map.of();
    }

    /** Reads {@code eventLog} backwards from its end, see {@link BackwardEndScan}. */
    static EndedInLog readingBackwards(Path eventLog) {
        return new BackwardEndScan(eventLog);
    }
}
