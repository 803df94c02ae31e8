package io.smartrunner.browser;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Spaces request starts at least {@code 1/rate} seconds apart, across every thread that shares
 * it. Each caller reserves the next free slot under a lock (a pure computation on the monotonic
 * clock) and then waits, outside the lock, until its slot: callers are served in the order they
 * asked, and nobody polls. An idle limiter does not bank slots, so a burst after a quiet spell is
 * spaced too. Thread-safe.
 */
final class RateLimiter {
    /** Waits for a number of nanoseconds; the real one sleeps, a test's records. */
    @FunctionalInterface
    interface Sleeper {
        Sleeper REAL = TimeUnit.NANOSECONDS::sleep;

        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private boolean started;
    private long nextSlot;

    /** @param requestsPerSecond more than 0 */
    RateLimiter(double requestsPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("requestsPerSecond must be > 0: " + requestsPerSecond);
        }
        this.intervalNanos = Math.max(1, Math.round(1e9 / requestsPerSecond));
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    long intervalNanos() {
        return intervalNanos;
    }

    /** Blocks until this caller may start its request. */
    void acquire() throws InterruptedException {
        long wait = reserve(nanoTime.getAsLong());
        if (wait > 0) {
            sleeper.sleepNanos(wait);
        }
    }

    /** Takes the next free slot at or after {@code now}; returns how long to wait for it. */
    synchronized long reserve(long now) {
        // compared as a difference: nanoTime may be negative or wrap
        long slot = !started || now - nextSlot > 0 ? now : nextSlot;
        started = true;
        nextSlot = slot + intervalNanos;
        return slot - now;
    }
}
