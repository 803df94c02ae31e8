package io.smartrunner.config;

import io.smartrunner.config.BrowserSettings.Provider;
import java.util.List;

/** Binds the {@code recovery} block. */
final class RecoveryBinder {
    static final List<String> KEYS = List.of("maxRecoverySteps", "retryBackoffMs", "maxErrorStreak",
            "pauseDurationMs", "pauseBackoffMultiplier", "maxPauseDurationMs", "stepTimeoutMs", "concurrency",
            "steps", "verify", "pauseJitter", "strategy", "adaptive");
    static final List<String> ADAPTIVE_KEYS = List.of("minSuccess", "explore", "decay");
    static final int MAX_RECOVERY_STEPS = 100;
    static final long MAX_RETRY_BACKOFF_MS = 86_400_000L;
    static final int MAX_ERROR_STREAK = 1000;
    static final long MAX_PAUSE_MS = 365 * 86_400_000L;
    static final double MAX_PAUSE_MULTIPLIER = 100.0;
    static final long MAX_STEP_TIMEOUT_MS = 86_400_000L;
    static final int MAX_CONCURRENCY = 1000;
    /** At most half again as long: a 24 h pause ends within 36 h (it never shrinks: PausePolicy). */
    static final double MAX_PAUSE_JITTER = 0.5;

    private RecoveryBinder() {
    }

    static RecoverySettings bind(JsonCursor block, Provider provider) {
        block.object(KEYS);
        long pauseMs = block.get("pauseDurationMs").integer(
                RecoverySettings.DEFAULT_PAUSE_DURATION_MS, 1, MAX_PAUSE_MS, Quantity.MILLIS);
        return new RecoverySettings(
                block.get("maxRecoverySteps").integer(
                        RecoverySettings.DEFAULT_MAX_RECOVERY_STEPS, 0, MAX_RECOVERY_STEPS, Quantity.COUNT),
                block.get("retryBackoffMs").integer(
                        RecoverySettings.DEFAULT_RETRY_BACKOFF_MS, 0, MAX_RETRY_BACKOFF_MS, Quantity.MILLIS),
                block.get("maxErrorStreak").integer(
                        RecoverySettings.DEFAULT_MAX_ERROR_STREAK, 0, MAX_ERROR_STREAK, Quantity.COUNT),
                pauseMs,
                block.get("pauseBackoffMultiplier").number(
                        RecoverySettings.DEFAULT_PAUSE_BACKOFF_MULTIPLIER, 1.0, MAX_PAUSE_MULTIPLIER),
                maxPauseMs(block.get("maxPauseDurationMs"), pauseMs),
                block.get("stepTimeoutMs").integer(
                        RecoverySettings.DEFAULT_STEP_TIMEOUT_MS, 1, MAX_STEP_TIMEOUT_MS, Quantity.MILLIS),
                block.get("concurrency").integer(
                        RecoverySettings.DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY, Quantity.COUNT),
                StepBinder.steps(block.get("steps"), provider),
                StepBinder.verify(block.get("verify"), provider),
                block.get("pauseJitter").number(RecoverySettings.DEFAULT_PAUSE_JITTER, 0.0, MAX_PAUSE_JITTER),
                block.get("strategy").choice(RecoverySettings.Strategy.FIXED),
                adaptive(block.get("adaptive")));
    }

    private static RecoverySettings.AdaptiveSettings adaptive(JsonCursor block) {
        if (!block.isPresent()) {
            return RecoverySettings.AdaptiveSettings.DEFAULTS;
        }
        block.object(ADAPTIVE_KEYS);
        return new RecoverySettings.AdaptiveSettings(
                block.get("minSuccess").number(RecoverySettings.AdaptiveSettings.DEFAULT_MIN_SUCCESS, 0.0, 1.0),
                block.get("explore").number(RecoverySettings.AdaptiveSettings.DEFAULT_EXPLORE, 0.0, 1.0),
                // 1.0 would never forget; 0 keeps only the last outcome
                block.get("decay").number(RecoverySettings.AdaptiveSettings.DEFAULT_DECAY, 0.0, 0.999));
    }

    private static long maxPauseMs(JsonCursor value, long pauseMs) {
        if (!value.isPresent()) {
            // a long pauseDurationMs alone must not trip over the 7-day default cap
            return Math.max(RecoverySettings.DEFAULT_MAX_PAUSE_DURATION_MS, pauseMs);
        }
        long maxMs = value.integer(0L, 1, MAX_PAUSE_MS, Quantity.MILLIS);
        if (maxMs < pauseMs) {
            throw value.fail(maxMs + " is less than pauseDurationMs (" + pauseMs + ")",
                    "a cap >= pauseDurationMs");
        }
        return maxMs;
    }
}
