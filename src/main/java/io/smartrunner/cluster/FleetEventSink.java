package io.smartrunner.cluster;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import io.smartrunner.event.Events;
import io.smartrunner.store.PostgresEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The event log of a runner in a fleet (cluster mode): every event names the runner
 * ({@code params.runner}) and goes to the fleet's {@code events} table and to the local JSONL log,
 * in that order, before the decision it records takes effect.
 *
 * <p>Why the database first: a runner killed between the two writes must not leave an end that
 * only its own disk knows. With the local log first, a session's {@code finish} could sit in a
 * killed runner's log while the database still showed the session running, and the runner that
 * took the lease over then closed it a second time as {@code lost} (the chaos bench saw it, once
 * in 18 000 sessions). With the database first the taker sees the end and writes nothing, and the
 * killed runner's next start copies that end into its own log (FleetMode.tee).
 *
 * <p>Database down (or behind): the batch goes to the local log alone and waits in the
 * {@link FleetEventWriter}, which sends it, in order, when the database answers; a slow or lost
 * database never stops the loop from recording. A batch in the table whose local append then
 * failed is not sent again when the loop retries it. Each event of a profile carries the lease
 * epoch the runner holds or last held for it ({@code epochs}, {@link ProfileLeases#lastEpoch};
 * null = never held, not fenced): the end of a session stopped because its lease was lost is
 * refused once another runner took the lease, as its rows are. Loop thread only, like every sink.
 */
public final class FleetEventSink implements EventSink {
    private final EventSink local;
    private final String runner;
    private final Function<String, Long> epochs;
    private final FleetEventWriter writer;
    /** In the table, not yet in the local log (its append failed): not sent again when retried. */
    private List<EventRecord> sentNotLocal = List.of();

    /**
     * @param runner the runner's runner.name, put into each event's params
     * @param epochs the lease epoch this runner holds or last held for a profile id, or null (never held, SQLite)
     */
    public FleetEventSink(EventSink local, String runner, Function<String, Long> epochs, FleetEventWriter writer) {
        this.local = local;
        this.runner = runner;
        this.epochs = epochs;
        this.writer = writer;
    }

    @Override
    public void append(List<EventRecord> events) {
        List<EventRecord> stamped = new ArrayList<>(events.size());
        for (EventRecord e : events) {
            stamped.add(Events.writtenBy(e, runner));
        }
        int already = stamped.size() >= sentNotLocal.size()
                && stamped.subList(0, sentNotLocal.size()).equals(sentNotLocal) ? sentNotLocal.size() : 0;
        List<PostgresEvents.Written> copy = new ArrayList<>(stamped.size() - already);
        for (EventRecord e : stamped.subList(already, stamped.size())) {
            copy.add(new PostgresEvents.Written(e, e.profileId() == null ? null : epochs.apply(e.profileId())));
        }
        boolean sent = writer.sendNow(copy);
        if (sent) {
            sentNotLocal = List.copyOf(stamped);
        }
        local.append(stamped); // throws: nothing of it is in the local log, and the loop retries the batch
        sentNotLocal = List.of();
        if (!sent) {
            writer.offer(copy);
        }
    }

    /** Closes the local log, then gives the writer a few seconds to send what it still holds. */
    @Override
    public void close() {
        try {
            local.close();
        } finally {
            writer.close();
        }
    }
}
