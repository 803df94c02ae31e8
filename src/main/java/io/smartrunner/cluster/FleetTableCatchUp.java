package io.smartrunner.cluster;

import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventLogFiles;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.StoreException;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * At a runner's start in cluster mode, the other way from {@link LocalLogCatchUp}: sends to the
 * fleet's {@code events} table what this data dir's earlier runs wrote to their local log only,
 * after the table's newest event of theirs. A run that stopped (or was killed) while PostgreSQL
 * was away left its waiting events in the local log alone, and the fleet's view never got them:
 * the stop said how many and nothing ever sent them.
 *
 * <p>The two cannot both have something to copy: while events wait for the database every new
 * batch goes to the local log first and waits behind them ({@link FleetEventWriter}), so the table
 * is ahead only by the batch a kill cut between its two writes. Sent through the writer, before the
 * run's own events, in the local log's order; in the table they come after what other runners
 * wrote meanwhile ({@code seq} is commit order), with their own {@code ts}. Sent unfenced (a local
 * line has no lease epoch, and this run's incarnation held none of the earlier ones): a session's
 * second end is still refused by the table, as it always is. At most {@link #MAX} events.
 */
public final class FleetTableCatchUp {
    /** At most this many events are sent (the writer keeps at most 100 000 waiting, too). */
    static final int MAX = FleetEventWriter.MAX_QUEUED;

    private FleetTableCatchUp() {
    }

    /**
     * @param incarnation this run's: the events compared are those of earlier runs of its data dir
     * @return how many events were handed to {@code writer} (said in one line when any)
     */
    public static int run(Path eventLog, String runner, long incarnation, PostgresEvents events,
                          FleetEventWriter writer, Consumer<String> say) {
        try {
            EventRecord newest = events.newestOfEarlierRuns(runner, incarnation).orElse(null);
            if (newest == null) {
                return 0; // a database new to this data dir: its history is not the fleet's to get now
            }
            Predicate<EventRecord> own = LocalLogCatchUp.own(runner);
            List<EventRecord> last = EventLogReader.tail(eventLog, 1, own);
            if (!last.isEmpty() && same(last.get(0), newest)) {
                return 0; // the usual start: the table has everything
            }
            List<EventRecord> current = EventLogReader.tail(eventLog, MAX, own);
            List<EventRecord> after = after(current, newest);
            if (after == null) { // the newest rotation between the two (a rotation while the database was away)
                List<EventRecord> both = new ArrayList<>(EventLogReader.tail(EventLogFiles.rotated(eventLog, 1), MAX, own));
                both.addAll(current);
                after = after(both, newest);
            }
            if (after == null || after.isEmpty()) {
                return 0; // not in the logs read (rotated out long ago): nothing to compare with
            }
            List<EventRecord> missing = after.size() > MAX ? after.subList(after.size() - MAX, after.size()) : after;
            writer.offer(missing.stream().map(e -> new PostgresEvents.Written(e, null)).toList());
            say.accept("sending " + missing.size() + " event(s) from " + eventLog + " to the fleet's events that an"
                    + " earlier run of this runner wrote only to its own log (PostgreSQL was away when they were written)");
            return missing.size();
        } catch (StoreException | EventLogException e) {
            say.accept("could not compare " + eventLog + " with the fleet's events (events an earlier run wrote only to"
                    + " its own log stay there alone): " + e.getMessage());
            return 0;
        }
    }

    /** What follows the last event in {@code log} that is {@code newest}; null when none is. */
    private static List<EventRecord> after(List<EventRecord> log, EventRecord newest) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (same(log.get(i), newest)) {
                return log.subList(i + 1, log.size());
            }
        }
        return null;
    }

    /** The same event: the local line has its instant to the millisecond, the table may have microseconds. */
    static boolean same(EventRecord local, EventRecord table) {
        return local.getClass() == table.getClass() // the same kind: a record per kind (only the codec reads the words)
                && local.ts().truncatedTo(ChronoUnit.MILLIS).equals(table.ts().truncatedTo(ChronoUnit.MILLIS))
                && Objects.equals(local.sessionId(), table.sessionId())
                && Objects.equals(local.profileId(), table.profileId());
    }
}
