package io.smartrunner.event;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the event lines of DESIGN §2, so the event/type/outcome mapping lives in one place:
 * start/session/null, finish/session/ok, error/session/error, pause/profile/paused,
 * unpause/profile/ok, recover/recovery/(ok|failed|unhealthy|exhausted); by hand also reset/profile/ok
 * and run/profile/ok.
 */
public final class Events {
    /** Every event kind the runner writes ({@code event} field), in the order of a session's life. */
    public static final List<String> KINDS = List.of("start", "finish", "error", "recover", "pause", "unpause",
            "reset", "run", "internal-error", "breaker-open", "breaker-close", "pod-pause", "pod-unpause");

    /** An unexpected exception the engine loop contained ({@code internal-error}/runner/error). */
    public static final String INTERNAL_ERROR = "internal-error";

    /** What the loop was doing when it contained one ({@code params.while}): a bounded set, a metric label. */
    public static final List<String> LOOP_WORK = List.of("exited", "stopped", "launched", "step-done", "manual",
            "reload", "snapshot", "shutdown", "timers", "recovery", "pauses", "leftovers", "start");

    private Events() {
    }

    /** Written before the child is spawned, so it has no pid yet (the session's row in the store gets it). */
    public static EventRecord sessionStarted(Instant ts, String pod, String profileId, String sessionId,
                                             String command) {
        return new EventRecord(ts, pod, profileId, sessionId, "start", "session",
                params("command", command), null, null);
    }

    public static EventRecord sessionFinished(Instant ts, String pod, String profileId, String sessionId,
                                              Long durMs) {
        return new EventRecord(ts, pod, profileId, sessionId, "finish", "session",
                params("exitCode", 0), "ok", durMs);
    }

    /** {@code params} must hold at least reason and, where known, exitCode/signal and stderrTail. */
    public static EventRecord sessionFailed(Instant ts, String pod, String profileId, String sessionId,
                                            Map<String, Object> params, Long durMs) {
        return new EventRecord(ts, pod, profileId, sessionId, "error", "session", params, "error", durMs);
    }

    public static EventRecord profilePaused(Instant ts, String pod, String profileId, String sessionId,
                                            int errorStreak, Instant pausedUntil, String reason, String by,
                                            long durationMs, int pauseCount) {
        return new EventRecord(ts, pod, profileId, sessionId, "pause", "profile",
                params("errorStreak", errorStreak, "pausedUntil", pausedUntil.toString(), "reason", reason,
                        "by", by, "durationMs", durationMs, "pauseCount", pauseCount),
                "paused", null);
    }

    public static EventRecord profileUnpaused(Instant ts, String pod, String profileId, long pausedForMs,
                                              String by) {
        return new EventRecord(ts, pod, profileId, null, "unpause", "profile",
                params("pausedFor", pausedForMs, "by", by), "ok", null);
    }

    /** A streak set back to 0 by hand ({@code reset}/profile/ok). */
    public static EventRecord streakReset(Instant ts, String pod, String profileId, int errorStreakWas, String by) {
        return new EventRecord(ts, pod, profileId, null, "reset", "profile",
                params("errorStreakWas", errorStreakWas, "by", by), "ok", null);
    }

    /** A session asked for by hand ({@code run}/profile/ok); its own start event follows when it starts. */
    public static EventRecord runRequested(Instant ts, String pod, String profileId, String by) {
        return new EventRecord(ts, pod, profileId, null, "run", "profile", params("by", by), "ok", null);
    }

    /**
     * One ladder step attempt.
     *
     * @param outcome ok (healthy after this step), failed (the step itself failed) or unhealthy
     *                (the step ran but verification failed)
     */
    public static EventRecord recoveryAttempted(Instant ts, String pod, String profileId, String sessionId, int step,
                                                String action, String outcome, String stepDetail,
                                                String verifyDetail, long durMs) {
        return new EventRecord(ts, pod, profileId, sessionId, "recover", "recovery",
                params("step", step, "action", action, "outcome", outcome, "message", stepDetail,
                        "verification", verifyDetail), outcome, durMs);
    }

    /** An episode that used every step without the profile verifying healthy. */
    public static EventRecord recoveryExhausted(Instant ts, String pod, String profileId, String sessionId,
                                                int stepsUsed, long durMs) {
        return new EventRecord(ts, pod, profileId, sessionId, "recover", "recovery",
                params("step", stepsUsed, "action", "ladder", "outcome", "exhausted", "message",
                        "all " + stepsUsed + " step(s) used without a healthy verification"), "exhausted", durMs);
    }

    /**
     * An unexpected exception while the loop handled one unit of work ({@code work}, one of
     * {@link #LOOP_WORK}); {@code profileId} and {@code sessionId} are those it concerned, if any.
     */
    public static EventRecord internalError(Instant ts, String pod, String profileId, String sessionId, String work,
                                            String exceptionClass, String message) {
        return new EventRecord(ts, pod, profileId, sessionId, INTERNAL_ERROR, "runner",
                params("exception", exceptionClass, "message", message, "while", work), "error", null);
    }

    // ---- whom to blame (issue #12.1, #12.2): failure classes, the fleet breaker, pods held ----

    /** {@code params.by} of decisions the fleet breaker takes (forgiving streaks, unpausing). */
    public static final String BY_BREAKER = "breaker";

    /**
     * Part of a streak taken back ({@code reset}/profile/ok, like a reset by hand, but not always to
     * 0): the failures that caused it were blamed on something shared once the breaker opened.
     */
    public static EventRecord streakForgiven(Instant ts, String pod, String profileId, int errorStreakWas,
                                             int errorStreak, String by) {
        return new EventRecord(ts, pod, profileId, null, "reset", "profile",
                params("errorStreakWas", errorStreakWas, "by", by, "errorStreak", errorStreak), "ok", null);
    }

    /**
     * A pod's fleet breaker opened ({@code breaker-open}/pod/open): {@code failed} of the {@code ended}
     * sessions that ended in the last {@code windowMs} failed, across {@code profiles} profiles.
     */
    public static EventRecord breakerOpened(Instant ts, String pod, int ended, int failed, int profiles,
                                            double ratio, long windowMs) {
        return new EventRecord(ts, pod, null, null, "breaker-open", "pod",
                params("ended", ended, "failed", failed, "profiles", profiles, "ratio", ratio, "windowMs", windowMs),
                "open", null);
    }

    /** A probe session succeeded: the pod's breaker closed ({@code breaker-close}/pod/ok). */
    public static EventRecord breakerClosed(Instant ts, String pod, long openForMs, int probes) {
        return new EventRecord(ts, pod, null, null, "breaker-close", "pod",
                params("openForMs", openForMs, "probes", probes), "ok", openForMs);
    }

    /**
     * A pod held: no new session starts in it ({@code pod-pause}/pod/paused) until a reload, a
     * restart or an unpause by hand; e.g. a session exited with a code mapped to {@code config}.
     */
    public static EventRecord podPaused(Instant ts, String pod, String reason, String profileId, String sessionId,
                                        Integer exitCode, String by) {
        return new EventRecord(ts, pod, null, null, "pod-pause", "pod",
                params("reason", reason, "profileId", profileId, "sessionId", sessionId, "exitCode", exitCode,
                        "by", by), "paused", null);
    }

    /** A held pod starts sessions again ({@code pod-unpause}/pod/ok). */
    public static EventRecord podUnpaused(Instant ts, String pod, long pausedForMs, String by) {
        return new EventRecord(ts, pod, null, null, "pod-unpause", "pod",
                params("pausedFor", pausedForMs, "by", by), "ok", null);
    }

    /** An insertion-ordered map from alternating keys and values. */
    public static Map<String, Object> params(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
