package io.smartrunner.config;

import java.util.List;

/** Binds the top-level {@code breaker} block. */
final class BreakerBinder {
    static final List<String> KEYS = List.of("enabled", "failureRatio", "windowMs", "minProfiles", "probeIntervalMs",
            "maxPausedShare");
    static final long MIN_WINDOW_MS = 100;
    static final long MAX_WINDOW_MS = 86_400_000L;
    static final int MAX_MIN_PROFILES = 100_000;

    private BreakerBinder() {
    }

    static BreakerSettings bind(JsonCursor block) {
        return bind(block, BreakerSettings.defaults());
    }

    /** A {@code breaker} block as an override of {@code d}, field by field (a pod's over the top level's). */
    static BreakerSettings bind(JsonCursor block, BreakerSettings d) {
        block.object(KEYS);
        return new BreakerSettings(
                block.get("enabled").flag(d.enabled()),
                block.get("failureRatio").number(d.failureRatio(), 0.01, 1.0),
                block.get("windowMs").integer(d.windowMs(), MIN_WINDOW_MS, MAX_WINDOW_MS, Quantity.MILLIS),
                block.get("minProfiles").integer(d.minProfiles(), 1, MAX_MIN_PROFILES, Quantity.COUNT),
                block.get("probeIntervalMs").integer(d.probeIntervalMs(), MIN_WINDOW_MS, MAX_WINDOW_MS,
                        Quantity.MILLIS),
                block.get("maxPausedShare").number(d.maxPausedShare(), 0.0, 1.0));
    }
}
