package io.smartrunner.time;

import java.time.Clock;
import java.time.Instant;

/** {@link TimeSource} backed by the system UTC clock and {@link System#nanoTime()}. */
final class SystemTimeSource implements TimeSource {
    static final SystemTimeSource INSTANCE = new SystemTimeSource();
    private final Clock clock = Clock.systemUTC();

    private SystemTimeSource() {
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
