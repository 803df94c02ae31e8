package io.smartrunner.cluster;

import io.smartrunner.DaemonThreads;
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
 * sessions after {@link ClusterSettings#watchdogMs()}. SQLite runners start the watchdog as a death
 * watch instead ({@code ProcessWatchdog.startDeathWatch}), never fed.
 */
public final class ProcessFence implements AutoCloseable {
    private final ProcessWatchdog watchdog;
    private final Runnable feed;
    private final Thread feeder;
    private volatile Loop loop;
    private volatile boolean closed;
    /** Feeder thread only. */
    private long fedAt;
    private boolean fedOnce;

    /** The engine loop as the feeder sees it. */
    private record Loop(LongSupplier lastTurnNanos, BooleanSupplier started, Runnable wake) {
    }

    /** @param feed one sign of life to the watchdog ({@link ProcessWatchdog#feed}) */
    ProcessFence(ProcessWatchdog watchdog, Runnable feed) {
        this.watchdog = watchdog;
        this.feed = feed;
        this.feeder = DaemonThreads.daemon(this::feed, "sr-watchdog-feed");
    }

    /** Starts the watchdog, fed unconditionally until {@link #watch} names the loop. */
    public static ProcessFence start(ClusterSettings settings, Consumer<String> say) {
        ProcessWatchdog watchdog = ProcessWatchdog.start(settings.watchdogMs(), say);
        ProcessFence fence = new ProcessFence(watchdog, watchdog::feed);
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
        while (!closed) {
            tick();
            try {
                Thread.sleep(ClusterSettings.FEED_PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One feed period: feeds the watchdog if the loop turned since the last feed (or is starting), then wakes it. */
    void tick() {
        Loop l = loop;
        if (l == null || !l.started().getAsBoolean()) {
            feed.run(); // start-up (the reconcile) is not a stuck loop; a frozen JVM still feeds nothing
        } else {
            long turn = l.lastTurnNanos().getAsLong();
            if (!fedOnce || turn != fedAt) {
                feed.run();
                fedAt = turn;
                fedOnce = true;
            }
        }
        if (l != null) {
            l.wake().run();
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
