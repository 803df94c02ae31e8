package io.smartrunner.engine;

import java.util.concurrent.TimeUnit;

/**
 * The fleet's first starts spread over {@code runner.startJitterMs}: for that long after start-up a
 * limit of L sessions (the runner's, a pod's) lets {@code ceil(L × elapsed / jitter)} run, at least
 * one. Each profile's own random wait (FleetStartup) spreads a fleet no larger than its limits;
 * with ten profiles for each slot the first ones to come due fill every slot within a tenth of the
 * window, and those 1 000 sessions end together and start together again each round (the fleet
 * bench's first wave and its echo, docs/performance.md). The ramp spreads that first wave whatever
 * the fleet's size. Loop thread only.
 */
final class StartRamp {
    private final long startNanos;
    private final long lengthNanos;

    /** @param jitterMs runner.startJitterMs; 0 = no ramp, every limit whole from the start */
    StartRamp(long startNanos, long jitterMs) {
        this.startNanos = startNanos;
        this.lengthNanos = TimeUnit.MILLISECONDS.toNanos(jitterMs);
    }

    static StartRamp none() {
        return new StartRamp(0, 0);
    }

    /** Whether limits are still below their configured value at {@code nowNanos}. */
    boolean rising(long nowNanos) {
        return nowNanos - startNanos < lengthNanos;
    }

    /** How many sessions a limit of {@code limit} lets run at {@code nowNanos}. */
    int allow(int limit, long nowNanos) {
        if (!rising(nowNanos) || limit <= 1) {
            return limit;
        }
        long elapsed = Math.max(0, nowNanos - startNanos);
        // ceil(limit × elapsed / length) without overflow: limit ≤ 10 000, elapsed < length ≤ an hour
        long allowed = (limit * elapsed + lengthNanos - 1) / lengthNanos;
        return (int) Math.max(1, Math.min(limit, allowed));
    }

    /**
     * When a limit of {@code limit} next lets one more run (at most one step early): the loop wakes
     * then when the ramp is what holds a start back.
     */
    long nextStepNanos(int limit, long nowNanos) {
        long step = Math.max(TimeUnit.MILLISECONDS.toNanos(1), lengthNanos / Math.max(1, limit));
        return Math.min(startNanos + lengthNanos, nowNanos + step);
    }
}
