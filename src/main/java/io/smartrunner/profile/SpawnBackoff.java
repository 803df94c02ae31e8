package io.smartrunner.profile;

import java.time.Duration;

/**
 * How long a profile waits after consecutive spawn failures (issue #9): the runner's environment
 * is broken, not the profile, so instead of an error streak and a 24 h pause the profile retries
 * 1 s, 2 s, 4 s, ... at most 5 min apart, and is back to normal after a session that really
 * started. Pure: the engine keeps the count and the clock.
 */
public final class SpawnBackoff {
    public static final Duration FIRST = Duration.ofSeconds(1);
    public static final Duration MAX = Duration.ofMinutes(5);

    private SpawnBackoff() {
    }

    /** The wait after the {@code consecutiveFailures}-th spawn failure in a row (1 = the first). */
    public static Duration after(int consecutiveFailures) {
        int doublings = Math.max(0, Math.min(consecutiveFailures - 1, 30));
        Duration d = FIRST.multipliedBy(1L << doublings);
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
