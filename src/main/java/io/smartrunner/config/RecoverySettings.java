package io.smartrunner.config;

import java.util.List;

/**
 * The {@code recovery} block: error streaks, pauses and the recovery ladder.
 *
 * @param maxRecoverySteps      most ladder steps one episode runs [5]
 * @param retryBackoffMs        wait before each step after the first [30000]
 * @param maxErrorStreak        a profile is paused when its streak exceeds this [3]
 * @param pauseDurationMs       how long a pause lasts [86400000 = 24 h]
 * @param pauseBackoffMultiplier each repeated pause lasts this many times the previous one [1]
 * @param maxPauseDurationMs    cap for the multiplied pause duration [604800000 = 7 d]
 * @param stepTimeoutMs         a step running longer counts as failed [60000]
 * @param concurrency           most recovery episodes running at once [4]
 * @param steps                 the ladder, cheapest first
 * @param verify                the health check run after each step
 * @param pauseJitter           every automatic pause lasts its nominal length times a factor drawn
 *                              uniformly from [1, 1 + this] (never shorter), so a fleet paused together
 *                              does not come back together; manual pauses are never jittered [0.1]
 * @param strategy              where an episode starts on the ladder [fixed]
 * @param adaptive              the adaptive strategy's tuning (used with strategy adaptive)
 */
public record RecoverySettings(
        int maxRecoverySteps,
        long retryBackoffMs,
        int maxErrorStreak,
        long pauseDurationMs,
        double pauseBackoffMultiplier,
        long maxPauseDurationMs,
        long stepTimeoutMs,
        int concurrency,
        List<StepConfig> steps,
        VerifyConfig verify,
        double pauseJitter,
        Strategy strategy,
        AdaptiveSettings adaptive) {

    public static final int DEFAULT_MAX_RECOVERY_STEPS = 5;
    public static final long DEFAULT_RETRY_BACKOFF_MS = 30_000;
    public static final int DEFAULT_MAX_ERROR_STREAK = 3;
    public static final long DEFAULT_PAUSE_DURATION_MS = 86_400_000;
    public static final double DEFAULT_PAUSE_BACKOFF_MULTIPLIER = 1.0;
    public static final long DEFAULT_MAX_PAUSE_DURATION_MS = 7 * 86_400_000L;
    public static final long DEFAULT_STEP_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final double DEFAULT_PAUSE_JITTER = 0.1;
    /** The spec's five steps, cheapest first; they need a browser provider. */
    public static final List<String> BROWSER_STEPS =
            List.of("goToHomepage", "browserBack", "refreshPage", "reopenProfile", "restartProfile");

    public RecoverySettings {
        steps = List.copyOf(steps);
        strategy = strategy == null ? Strategy.FIXED : strategy;
        adaptive = adaptive == null ? AdaptiveSettings.DEFAULTS : adaptive;
    }

    /** The fixed strategy, no pause jitter. */
    public RecoverySettings(int maxRecoverySteps, long retryBackoffMs, int maxErrorStreak, long pauseDurationMs,
                            double pauseBackoffMultiplier, long maxPauseDurationMs, long stepTimeoutMs,
                            int concurrency, List<StepConfig> steps, VerifyConfig verify, Strategy strategy,
                            AdaptiveSettings adaptive) {
        this(maxRecoverySteps, retryBackoffMs, maxErrorStreak, pauseDurationMs, pauseBackoffMultiplier,
                maxPauseDurationMs, stepTimeoutMs, concurrency, steps, verify, 0, strategy, adaptive);
    }

    /** The fixed strategy. */
    public RecoverySettings(int maxRecoverySteps, long retryBackoffMs, int maxErrorStreak, long pauseDurationMs,
                            double pauseBackoffMultiplier, long maxPauseDurationMs, long stepTimeoutMs,
                            int concurrency, List<StepConfig> steps, VerifyConfig verify, double pauseJitter) {
        this(maxRecoverySteps, retryBackoffMs, maxErrorStreak, pauseDurationMs, pauseBackoffMultiplier,
                maxPauseDurationMs, stepTimeoutMs, concurrency, steps, verify, pauseJitter, Strategy.FIXED,
                AdaptiveSettings.DEFAULTS);
    }

    /** The same settings with another strategy. */
    public RecoverySettings withStrategy(Strategy s, AdaptiveSettings a) {
        return new RecoverySettings(maxRecoverySteps, retryBackoffMs, maxErrorStreak, pauseDurationMs,
                pauseBackoffMultiplier, maxPauseDurationMs, stepTimeoutMs, concurrency, steps, verify, pauseJitter, s, a);
    }

    /** {@code recovery.strategy}: every episode starts at step 1 (fixed), or where it tends to work (adaptive). */
    public enum Strategy {
        FIXED, ADAPTIVE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The {@code recovery.adaptive} block (docs/recovery-adaptive.md).
     *
     * @param minSuccess an episode starts at the lowest step whose recent success rate for the
     *                   failure's signature is at least this [0.6]
     * @param explore    the chance that an episode starts at step 1 anyway, so cheaper steps keep
     *                   being tried [0.1]
     * @param decay      each new outcome of a (signature, step) first multiplies its counts by
     *                   this, so about 1 / (1 - decay) recent outcomes count [0.9]
     */
    public record AdaptiveSettings(double minSuccess, double explore, double decay) {
        public static final double DEFAULT_MIN_SUCCESS = 0.6;
        public static final double DEFAULT_EXPLORE = 0.1;
        public static final double DEFAULT_DECAY = 0.9;
        public static final AdaptiveSettings DEFAULTS =
                new AdaptiveSettings(DEFAULT_MIN_SUCCESS, DEFAULT_EXPLORE, DEFAULT_DECAY);
    }

    /** The settings without pauseJitter: no jitter (every automatic pause lasts its nominal length). */
    public RecoverySettings(int maxRecoverySteps, long retryBackoffMs, int maxErrorStreak, long pauseDurationMs,
                            double pauseBackoffMultiplier, long maxPauseDurationMs, long stepTimeoutMs,
                            int concurrency, List<StepConfig> steps, VerifyConfig verify) {
        this(maxRecoverySteps, retryBackoffMs, maxErrorStreak, pauseDurationMs, pauseBackoffMultiplier,
                maxPauseDurationMs, stepTimeoutMs, concurrency, steps, verify, 0.0);
    }
}
