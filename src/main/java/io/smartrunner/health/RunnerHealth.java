package io.smartrunner.health;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether the runner is alive and ready, with the reasons when not: one truth for
 * {@code /healthz}, {@code /readyz}, {@code status}, {@code /metrics} and the systemd watchdog.
 * Liveness: the engine loop turned within the timeout (it wakes at least every 5 s). Readiness:
 * alive, past start-up (state loaded, crash reconciled), decisions can be made durable (event log
 * and state store writable) and not stopping.
 */
public final class RunnerHealth {
    /** What the engine loop tells about itself; every method is called from other threads. */
    public interface Loop {
        /** True once start-up (load, reconcile) is done and the loop runs. */
        boolean started();

        /** The monotonic time of the loop's last turn (same clock as the health's). */
        long lastTurnNanos();

        /** Why decisions cannot be made durable right now, or null. */
        String problem();

        /**
         * What an operator should know that does not make the runner unready, one line each (new
         * sessions held back by admission control: the runner still works, it waits for the host).
         */
        default List<String> notes() {
            return List.of();
        }

        /** Why else the runner is not ready, one line each (its cluster heartbeat failing). */
        default List<String> reasons() {
            return List.of();
        }
    }

    private final Loop loop;
    private final LongSupplier nanoTime;
    private final long livenessTimeoutNanos;
    private volatile boolean stopping;

    public RunnerHealth(Loop loop, LongSupplier nanoTime, long livenessTimeoutMs) {
        this.loop = loop;
        this.nanoTime = nanoTime;
        this.livenessTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(livenessTimeoutMs);
    }

    /** The runner was asked to stop: no longer ready (still alive while it winds down). */
    public void stopping() {
        stopping = true;
    }

    /** Start-up (state loaded, crash reconciled) is done. */
    public boolean started() {
        return loop.started();
    }

    /**
     * For the systemd watchdog: the loop turned within {@code nanos}, or is still starting (start-up
     * is bounded by systemd's start timeout instead).
     */
    public boolean loopTurnedWithin(long nanos) {
        return !loop.started() || nanoTime.getAsLong() - loop.lastTurnNanos() <= nanos;
    }

    /** Start-up may take long (stopping what a crashed runner left); it is not a frozen loop. */
    public Verdict liveness() {
        if (!loop.started()) {
            return Verdict.OK;
        }
        long idle = nanoTime.getAsLong() - loop.lastTurnNanos();
        if (idle > livenessTimeoutNanos) {
            return new Verdict(false, List.of("the engine loop has not turned for "
                    + TimeUnit.NANOSECONDS.toMillis(idle) / 1000 + " s (limit "
                    + TimeUnit.NANOSECONDS.toMillis(livenessTimeoutNanos) / 1000 + " s)"));
        }
        return Verdict.OK;
    }

    /** {@link Loop#notes()}: shown with {@code /readyz} (which stays ready), in {@code status} and on the dashboard. */
    public List<String> notes() {
        return loop.notes();
    }

    public Verdict readiness() {
        List<String> reasons = new ArrayList<>();
        if (!loop.started()) {
            reasons.add("starting: loading state and stopping what a previous runner left");
        }
        reasons.addAll(liveness().reasons());
        String problem = loop.problem();
        if (problem != null) {
            reasons.add("decisions cannot be made durable: " + problem);
        }
        reasons.addAll(loop.reasons());
        if (stopping) {
            reasons.add("stopping");
        }
        return reasons.isEmpty() ? Verdict.OK : new Verdict(false, reasons);
    }
}
