package io.smartrunner.engine;

import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventRecord;
import io.smartrunner.store.StoreException;
import java.util.List;

/**
 * Makes the loop's pending decisions durable (events, then state) and, once they are, hands over
 * what waited for them (staged launches, the listener). A failed write is retried when the
 * {@link WriteBackoff} says so, and the operator told once per episode ({@link HealthReporter}).
 * Loop thread only.
 */
final class DurableWrites {
    private final PendingWrites pending;
    private final SupervisorDeps deps;
    private final HealthReporter health;
    private final WriteBackoff backoff = new WriteBackoff();
    /** Runs after each successful write: launches whose start events are now in the log. */
    private final Runnable afterWrite;

    DurableWrites(PendingWrites pending, SupervisorDeps deps, HealthReporter health, Runnable afterWrite) {
        this.pending = pending;
        this.deps = deps;
        this.health = health;
        this.afterWrite = afterWrite;
    }

    /** False while the event log or store cannot be written; after a failure, tries only when due unless {@code force}. */
    boolean flush(boolean force) {
        long nowNanos = deps.time().nanoTime();
        boolean write = pending.mustWrite(nowNanos);
        if (!write && backoff.failing()) {
            return true; // nothing to write proves nothing: the episode ends with the next real write
        }
        if (!force && !backoff.due(nowNanos)) {
            return false;
        }
        try {
            List<EventRecord> written = pending.flush(deps.eventSink(), deps.store(), write);
            backoff.succeeded();
            health.recovered();
            afterWrite.run();
            if (!written.isEmpty()) {
                deps.listener().accept(written);
            }
            return true;
        } catch (EventLogException | StoreException e) {
            backoff.failed(nowNanos);
            health.failing(e.getMessage());
            return false;
        }
    }

    /** A write failed and has not succeeded since: nothing may start before the next one does. */
    boolean failing() {
        return backoff.failing();
    }

    /** The earlier of {@code next} and when the pending late rows must be written ({@link PendingWrites#addLate}). */
    long lateRowsDue(long next) {
        return pending.hasLate() && pending.lateDueNanos() - next < 0 ? pending.lateDueNanos() : next;
    }

    /** When the next write is due while failing. */
    long retryAtNanos() {
        return backoff.retryAtNanos();
    }
}
