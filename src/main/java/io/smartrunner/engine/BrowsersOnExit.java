package io.smartrunner.engine;

import io.smartrunner.DaemonThreads;
import io.smartrunner.browser.BrowserCause;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.config.ProfileConfig;
import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code browser.closeOnExit}: once a stopping runner's sessions have all ended, every browser
 * the provider still holds open is closed (gracefully, else by force) off the loop, all at once
 * (up to {@value #MAX_PARALLEL_CLOSES}, {@link #PARALLEL_CLOSES}), while the loop still runs, so
 * each close is in the event log ({@code browser-close}, reason {@value #REASON}) like any other.
 * A browser that does not answer costs its CDP timeout before the force; on the four launch
 * threads, ten such browsers held the stop for three rounds of it. What cannot be closed that way is left to the provider's own close
 * when the runner shuts down. Loop thread, except the closes.
 */
final class BrowsersOnExit {
    static final String REASON = "the runner is stopping";
    static final int MAX_PARALLEL_CLOSES = 64;
    /**
     * Each close on a daemon thread of its own (they wait on their browsers, not on each other), up
     * to {@value #MAX_PARALLEL_CLOSES} at once; the threads end a second after their last close.
     */
    static final Executor PARALLEL_CLOSES = closer();

    private final boolean enabled;
    private final BrowserProvider browsers;
    private final Executor offLoop;
    private final Runnable wake;
    private final Consumer<String> diagnostics;
    private final AtomicInteger closing = new AtomicInteger();
    private boolean begun;

    /**
     * @param enabled  browser.closeOnExit
     * @param offLoop  where the closes run (they wait for each browser to exit): {@link #PARALLEL_CLOSES}
     * @param wake     makes the loop turn (after the last close, to log it and finish)
     */
    BrowsersOnExit(boolean enabled, BrowserProvider browsers, Executor offLoop, Runnable wake,
                   Consumer<String> diagnostics) {
        this.enabled = enabled;
        this.browsers = browsers;
        this.offLoop = offLoop;
        this.wake = wake;
        this.diagnostics = diagnostics;
    }

    private static Executor closer() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_PARALLEL_CLOSES, MAX_PARALLEL_CLOSES, 1,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), DaemonThreads.named("sr-browser-close"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Starts closing every open browser; only the first call does anything. */
    void begin(Collection<ProfileSlot> slots) {
        if (begun) {
            return;
        }
        begun = true;
        if (!enabled) {
            return;
        }
        for (ProfileSlot slot : slots) {
            if (browsers.status(slot.id()).open()) {
                ProfileConfig profile = slot.config;
                closing.incrementAndGet();
                offLoop.execute(() -> {
                    try {
                        close(profile);
                    } finally {
                        if (closing.decrementAndGet() == 0) {
                            wake.run();
                        }
                    }
                });
            }
        }
    }

    /** Whether {@link #begin} was called and every close it started has ended. */
    boolean done() {
        return begun && closing.get() == 0;
    }

    private void close(ProfileConfig profile) {
        RuntimeException stillOpen = BrowserClose.closeOrForceStop(browsers, profile, BrowserCause.of(null, REASON));
        if (stillOpen != null) {
            diagnostics.accept("cannot close the browser of profile " + profile.id() + " on exit ("
                    + stillOpen.getMessage() + "); it is stopped with the runner's other processes");
        }
    }
}
