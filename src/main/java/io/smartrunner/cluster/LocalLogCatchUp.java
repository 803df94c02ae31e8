package io.smartrunner.cluster;

import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * At a runner's start in cluster mode: copies into its local log what its previous run wrote to
 * the fleet's {@code events} table after the local log's newest event of its own. The table is
 * written first ({@link FleetEventSink}), so a run killed between the two writes left those
 * events in the table only; a session's end among them would otherwise be missing from this log.
 * Only the current log file is read (after a rotation at that very moment nothing is found).
 */
public final class LocalLogCatchUp {
    /** At most this many events are copied (one interrupted write is a few hundred at most). */
    static final int MAX = 100_000;

    private LocalLogCatchUp() {
    }

    /** @return how many events were copied (said in one line when any) */
    public static int run(Path eventLog, String runner, EventSink local, PostgresEvents events, Consumer<String> say) {
        try {
            List<EventRecord> last = EventLogReader.tail(eventLog, 1,
                    e -> runner.equals(e.params().value(EventParams.RUNNER)));
            if (last.isEmpty()) {
                return 0;
            }
            List<EventRecord> missing = events.writtenAfter(runner, last.get(0), MAX);
            if (!missing.isEmpty()) {
                local.append(missing);
                say.accept("copied " + missing.size() + " event(s) into " + eventLog + " that this runner had written"
                        + " to the fleet's events but not to its own log (its last run was stopped between the two"
                        + " writes)");
            }
            return missing.size();
        } catch (StoreException | EventLogException e) {
            say.accept("could not compare " + eventLog + " with the fleet's events (events this runner wrote only to"
                    + " the fleet's table before a kill stay there alone): " + e.getMessage());
            return 0;
        }
    }
}
