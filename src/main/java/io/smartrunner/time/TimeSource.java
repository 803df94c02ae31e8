package io.smartrunner.time;

import java.time.Instant;

/**
 * The one place time comes from. Wall-clock instants are for what is persisted or shown
 * ({@code pausedUntil}, event timestamps); the monotonic reading is for timers (timeouts,
 * backoff, idle detection), so a wall-clock jump never stretches or shortens a timer.
 * Implementations must be thread-safe.
 */
public interface TimeSource {
    /** The current wall-clock instant (UTC). */
    Instant now();

    /** A monotonic reading in nanoseconds, only meaningful as a difference between two readings. */
    long nanoTime();

    /** The machine's clocks. */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }
}
