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
 * ({@code params.runner}) and goes to the local JSONL log first, exactly as with SQLite, and then
 * to the fleet's {@code events} table through a {@link FleetEventWriter}.
 *
 * <p>Durability stays the local log's: {@link #append} returns once the batch is in the local
 * file (fsynced by its policy), so a decision takes effect only after its event is durable on
 * this machine, whether or not the database is reachable. The copy in PostgreSQL is the fleet's
 * view, written after the local append on a thread of its own: a slow or lost database never
 * slows or stops the loop (see docs/cluster-fleet-view.md for what it may miss). Each event of a
 * profile carries the lease epoch the runner holds for it at append time ({@code epochs}; null =
 * not fenced). Loop thread only, like every sink.
 */
public final class FleetEventSink implements EventSink {
    private final EventSink local;
    private final String runner;
    private final Function<String, Long> epochs;
    private final FleetEventWriter writer;

    /**
     * @param runner the runner's runner.name, put into each event's params
     * @param epochs the lease epoch this runner holds for a profile id, or null (not held, SQLite)
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
        local.append(stamped);
        List<PostgresEvents.Written> copy = new ArrayList<>(stamped.size());
        for (EventRecord e : stamped) {
            copy.add(new PostgresEvents.Written(e, e.profileId() == null ? null : epochs.apply(e.profileId())));
        }
        writer.offer(copy);
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
