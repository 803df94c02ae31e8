package io.smartrunner.time;

import java.time.Clock;
import java.time.Instant;

/** {@link TimeSource} backed by the system UTC clock and {@link System#nanoTime()}. */
final class SystemTimeSource implements TimeSource {
    static final SystemTimeSource INSTANCE = new SystemTimeSource();
    private final Clock clock = Clock.systemUTC();

    private SystemTimeSource() {
    }

    /** Millisecond precision: what is persisted and logged is milliseconds, so memory agrees with disk. */
    @Override
    public Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
