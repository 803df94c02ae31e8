package io.smartrunner.profile;

import io.smartrunner.config.RecoverySettings;
import java.time.Duration;

/**
 * When a failing profile is paused and for how long.
 *
 * @param maxErrorStreak   pause when the streak exceeds this
 * @param pauseDuration    the first pause's length
 * @param backoffMultiplier each repeated pause is this many times longer than the previous one
 * @param maxPauseDuration cap for the multiplied length
 */
public record PausePolicy(int maxErrorStreak, Duration pauseDuration, double backoffMultiplier,
                          Duration maxPauseDuration) {

    public static PausePolicy from(RecoverySettings r) {
        return new PausePolicy(r.maxErrorStreak(), Duration.ofMillis(r.pauseDurationMs()),
                r.pauseBackoffMultiplier(), Duration.ofMillis(r.maxPauseDurationMs()));
    }

    public boolean shouldPause(int errorStreak) {
        return errorStreak > maxErrorStreak;
    }

    /** Length of the pause that follows {@code previousPauses} earlier ones; a pure computation. */
    public Duration durationAfter(int previousPauses) {
        double factor = Math.pow(backoffMultiplier, previousPauses);
        double millis = pauseDuration.toMillis() * factor;
        if (Double.isInfinite(millis) || millis >= maxPauseDuration.toMillis()) {
            return maxPauseDuration.compareTo(pauseDuration) < 0 ? pauseDuration : maxPauseDuration;
        }
        return Duration.ofMillis((long) millis);
    }
}
