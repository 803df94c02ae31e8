package io.smartrunner.config;

/**
 * The fleet breaker of each pod ({@code breaker} block, DESIGN §2b): when a large share of a pod's
 * sessions fail at once across many profiles, the failures are blamed on something shared, not
 * on each profile.
 *
 * @param enabled         false: no breaker, every profile failure counts (the seed's policy) [true]
 * @param failureRatio    the breaker opens when at least this share of the sessions that ended in
 *                        the window failed (profile-class failures vs successes) [0.5]
 * @param windowMs        how far back the ended sessions are counted [60000]
 * @param minProfiles     ... and the failures are of at least this many distinct profiles [5]
 * @param probeIntervalMs while open, the pod starts at most one probe session this often [30000]
 * @param maxPausedShare  never more than max(1, floor(share × pod size)) profiles of a pod paused
 *                        automatically, breaker open or not [0.1]
 */
public record BreakerSettings(boolean enabled, double failureRatio, long windowMs, int minProfiles,
                              long probeIntervalMs, double maxPausedShare) {
    public static final double DEFAULT_FAILURE_RATIO = 0.5;
    public static final long DEFAULT_WINDOW_MS = 60_000;
    public static final int DEFAULT_MIN_PROFILES = 5;
    public static final long DEFAULT_PROBE_INTERVAL_MS = 30_000;
    public static final double DEFAULT_MAX_PAUSED_SHARE = 0.1;

    /** No breaker and no cap on automatic pauses: the seed's policy (every profile failure counts). */
    public static final BreakerSettings OFF = new BreakerSettings(false, DEFAULT_FAILURE_RATIO, DEFAULT_WINDOW_MS,
            DEFAULT_MIN_PROFILES, DEFAULT_PROBE_INTERVAL_MS, 1.0);

    /** The documented defaults a configuration file gets without a {@code breaker} block. */
    public static BreakerSettings defaults() {
        return new BreakerSettings(true, DEFAULT_FAILURE_RATIO, DEFAULT_WINDOW_MS, DEFAULT_MIN_PROFILES,
                DEFAULT_PROBE_INTERVAL_MS, DEFAULT_MAX_PAUSED_SHARE);
    }

    /** The most profiles of a pod of {@code podSize} that may be paused automatically at once. */
    public int maxPaused(int podSize) {
        return Math.max(1, (int) Math.floor(maxPausedShare * podSize + 1e-9));
    }
}
