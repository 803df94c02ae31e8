package io.smartrunner.profile;

import io.smartrunner.config.RecoverySettings;
import java.time.Duration;

/**
 * When a failing profile is paused and for how long.
 *
 * <p>An automatic pause lasts {@code pauseDuration × backoffMultiplier^previousPauses}, capped at
 * {@code maxPauseDuration} (the nominal length), then multiplied by a jitter factor drawn
 * uniformly from {@code [1, 1 + jitter]} so a fleet paused at the same instant does not come back
 * at the same instant. Never shorter than the nominal length: the spec's "unpaused after 24 hours"
 * holds for every profile (until session 52 the factor was drawn from {@code [1 − jitter, 1 + jitter]},
 * and a default pause could end after 21.6 h). The cap bounds the nominal length; the real one may
 * exceed it by at most the jitter share (a hard clamp would bring every capped profile back in
 * lockstep again).
 * The draw is an input (like the time): this class and {@link ProfileRules} read no randomness.
 * Manual pauses take the length they were given, never jittered.
 *
 * @param maxErrorStreak   pause when the streak exceeds this
 * @param pauseDuration    the first pause's length
 * @param backoffMultiplier each repeated pause is this many times longer than the previous one
 * @param maxPauseDuration cap for the multiplied length
 * @param jitter           share of the nominal length by which a pause may be longer, 0..0.5
 */
public record PausePolicy(int maxErrorStreak, Duration pauseDuration, double backoffMultiplier,
                          Duration maxPauseDuration, double jitter) {

    /** Without jitter: every automatic pause lasts exactly its nominal length. */
    public PausePolicy(int maxErrorStreak, Duration pauseDuration, double backoffMultiplier,
                       Duration maxPauseDuration) {
        this(maxErrorStreak, pauseDuration, backoffMultiplier, maxPauseDuration, 0);
    }

    public static PausePolicy from(RecoverySettings r) {
        return new PausePolicy(r.maxErrorStreak(), Duration.ofMillis(r.pauseDurationMs()),
                r.pauseBackoffMultiplier(), Duration.ofMillis(r.maxPauseDurationMs()), r.pauseJitter());
    }

    public boolean shouldPause(int errorStreak) {
        return errorStreak > maxErrorStreak;
    }

    /** Nominal length of the pause that follows {@code previousPauses} earlier ones; a pure computation. */
    public Duration durationAfter(int previousPauses) {
        double factor = Math.pow(backoffMultiplier, previousPauses);
        double millis = pauseDuration.toMillis() * factor;
        if (Double.isInfinite(millis) || millis >= maxPauseDuration.toMillis()) {
            return maxPauseDuration.compareTo(pauseDuration) < 0 ? pauseDuration : maxPauseDuration;
        }
        return Duration.ofMillis((long) millis);
    }

    /**
     * Real length of an automatic pause: the nominal one ({@link #durationAfter}) times
     * {@code 1 + jitter × draw}; a pure computation.
     *
     * @param draw uniform in [0, 1): 0 gives the nominal length, the shortest
     */
    public Duration automaticDuration(int previousPauses, double draw) {
        Duration nominal = durationAfter(previousPauses);
        if (jitter == 0) {
            return nominal;
        }
        double factor = 1 + jitter * draw;
        return Duration.ofMillis(Math.max(1, Math.round(nominal.toMillis() * factor)));
    }
}
