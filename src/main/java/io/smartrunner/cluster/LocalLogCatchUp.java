package io.smartrunner.cluster;

import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventLogFiles;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * At a runner's start in cluster mode: copies into its local log what its previous runs (of this
 * data dir, not another machine's runner of the same name) wrote to the fleet's {@code events}
 * table after the local log's newest event of its own. The table is
 * written first ({@link FleetEventSink}), so a run killed between the two writes left those
 * events in the table only; a session's end among them would otherwise be missing from this log.
 * The newest event of its own is looked for in the current log file, then in the newest rotated
 * one ({@code events.jsonl.1}): a rotation between the run's last write and its kill leaves the
 * current file without one. Older files are not read (a runner new to this log would read them
 * all at each start for nothing).
 */
public final class LocalLogCatchUp {
    /** At most this many events are copied (one interrupted write is a few hundred at most). */
    static final int MAX = 100_000;

    private LocalLogCatchUp() {
    }

    /**
     * @param incarnation this run's: the events looked for are those of earlier runs of its data dir
     * @return how many events were copied (said in one line when any)
     */
    public static int run(Path eventLog, String runner, long incarnation, EventSink local, PostgresEvents events,
                          Consumer<String> say) {
        try {
            List<EventRecord> last = newestOwn(eventLog, runner);
            if (last.isEmpty()) {
                return 0;
            }
            List<EventRecord> missing = events.writtenAfter(runner, incarnation, last.get(0), MAX);
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

    /** The events this runner wrote (its name in {@code params.runner}), and copied from the table. */
    static Predicate<EventRecord> own(String runner) {
        return e -> runner.equals(e.params().value(EventParams.RUNNER));
    }

    /** The runner's newest event in the current file, else in the newest rotated one; empty when neither has one. */
    private static List<EventRecord> newestOwn(Path eventLog, String runner) {
        Predicate<EventRecord> own = own(runner);
        List<EventRecord> last = EventLogReader.tail(eventLog, 1, own);
        return last.isEmpty() ? EventLogReader.tail(EventLogFiles.rotated(eventLog, 1), 1, own) : last;
    }
}
