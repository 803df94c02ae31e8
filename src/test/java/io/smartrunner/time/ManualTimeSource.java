package io.smartrunner.time;

import java.time.Duration;
import java.time.Instant;

/** A {@link TimeSource} the test moves by hand; wall and monotonic time advance together. */
public final class ManualTimeSource implements TimeSource {
    private Instant now;
    private long nanos;

    public ManualTimeSource(Instant start) {
        this.now = start;
        this.nanos = 1_000_000_000L;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
        nanos += d.toNanos();
    }

    public void advanceMillis(long ms) {
        advance(Duration.ofMillis(ms));
    }

    /** Moves only the wall clock, as an NTP step or a DST-unaware admin would. */
    public synchronized void jumpWallClock(Duration d) {
        now = now.plus(d);
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }
}
