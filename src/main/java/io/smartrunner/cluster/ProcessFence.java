package io.smartrunner.cluster;

import io.smartrunner.config.ClusterSettings;
import io.smartrunner.process.ProcessWatchdog;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Cluster mode's process fencing (docs/cluster-fencing.md): starts the {@link ProcessWatchdog} and
 * feeds it from one daemon thread, once a second, but only when the engine loop has turned since
 * the last feed (or is still starting up), and wakes the loop every second so that a healthy,
 * idle loop turns at least that often. A frozen JVM feeds nothing (this thread is frozen too); a
 * stuck loop stops turning, so the feeds stop: either way the watchdog kills the runner and its
 * sessions after {@link ClusterSettings#watchdogMs()}. SQLite runners never start one.
 */
public final class ProcessFence implements AutoCloseable {
    private final ProcessWatchdog watchdog;
    private final Thread feeder;
    private volatile Loop loop;
    private volatile boolean closed;

    /** The engine loop as the feeder sees it. */
    private record Loop(LongSupplier lastTurnNanos, BooleanSupplier started, Runnable wake) {
    }

    private ProcessFence(ProcessWatchdog watchdog) {
        this.watchdog = watchdog;
        this.feeder = new Thread(this::feed, "sr-watchdog-feed");
        feeder.setDaemon(true);
    }

    /** Starts the watchdog, fed unconditionally until {@link #watch} names the loop. */
    public static ProcessFence start(ClusterSettings settings, Consumer<String> say) {
        ProcessFence fence = new ProcessFence(ProcessWatchdog.start(settings.watchdogMs(), say));
        fence.feeder.start();
        return fence;
    }

    /**
     * From now on the feed needs the loop's turns.
     *
     * @param lastTurnNanos when the loop last turned (any monotonic value: only its changes count)
     * @param started       whether start-up (load, reconcile) is done: before, the feed does not wait for turns
     * @param wake          makes the loop turn now
     */
    public void watch(LongSupplier lastTurnNanos, BooleanSupplier started, Runnable wake) {
        loop = new Loop(lastTurnNanos, started, wake);
    }

    public String describe() {
        return watchdog.describe();
    }

    private void feed() {
        long fedAt = Long.MIN_VALUE;
        while (!closed) {
            Loop l = loop;
            if (l == null || !l.started().getAsBoolean()) {
                watchdog.feed(); // start-up is bounded by its own timeouts, not taken for a stuck loop
            } else {
                long turn = l.lastTurnNanos().getAsLong();
                if (turn != fedAt) {
                    watchdog.feed();
                    fedAt = turn;
                }
            }
            if (l != null) {
                l.wake().run();
            }
            try {
                Thread.sleep(ClusterSettings.FEED_PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Every session was stopped by the runner itself: the watchdog leaves without killing anything. */
    public void stoppedCleanly() {
        closed = true;
        feeder.interrupt();
        watchdog.stoppedCleanly();
    }

    /** Without {@link #stoppedCleanly} first, the watchdog kills whatever launch is still alive. */
    @Override
    public void close() {
        closed = true;
        feeder.interrupt();
        watchdog.close();
    }
}
