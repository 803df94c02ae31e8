package io.smartrunner.event;

import static io.smartrunner.event.EventParams.ACTION;
import static io.smartrunner.event.EventParams.ATTEMPT_OUTCOME;
import static io.smartrunner.event.EventParams.BY;
import static io.smartrunner.event.EventParams.COMMAND;
import static io.smartrunner.event.EventParams.DURATION_MS;
import static io.smartrunner.event.EventParams.OUTCOME_WORD;
import static io.smartrunner.event.EventParams.ERROR_STREAK;
import static io.smartrunner.event.EventParams.ERROR_STREAK_WAS;
import static io.smartrunner.event.EventParams.EXCEPTION;
import static io.smartrunner.event.EventParams.EXIT_CODE;
import static io.smartrunner.event.EventParams.FROM;
import static io.smartrunner.event.EventParams.PAUSED;
import static io.smartrunner.event.EventParams.REPLACED;
import static io.smartrunner.event.EventParams.MESSAGE;
import static io.smartrunner.event.EventParams.PAUSED_FOR_MS;
import static io.smartrunner.event.EventParams.PAUSED_UNTIL;
import static io.smartrunner.event.EventParams.PAUSE_COUNT;
import static io.smartrunner.event.EventParams.REASON;
import static io.smartrunner.event.EventParams.RUNNER;
import static io.smartrunner.event.EventParams.STEP;
import static io.smartrunner.event.EventParams.VERIFICATION;
import static io.smartrunner.event.EventParams.WHILE;
import static io.smartrunner.event.EventParams.ENDED;
import static io.smartrunner.event.EventParams.FAILED;
import static io.smartrunner.event.EventParams.PROFILES;
import static io.smartrunner.event.EventParams.RATIO;
import static io.smartrunner.event.EventParams.IN_A_ROW;
import static io.smartrunner.event.EventParams.WINDOW_MS;
import static io.smartrunner.event.EventParams.OPEN_FOR_MS;
import static io.smartrunner.event.EventParams.PROBES;
import static io.smartrunner.event.EventParams.PROFILE_ID;
import static io.smartrunner.event.EventParams.SESSION_ID;
import static io.smartrunner.event.EventParams.STRATEGY;
import static io.smartrunner.event.EventParams.SIGNATURE;
import static io.smartrunner.event.EventParams.START_STEP;
import static io.smartrunner.event.EventParams.SHORT_OF;
import static io.smartrunner.event.EventParams.READING;
import static io.smartrunner.event.EventParams.LIMIT;
import static io.smartrunner.event.EventParams.UNIT;
import static io.smartrunner.event.EventParams.HELD_FOR_MS;
import static io.smartrunner.event.EventParams.SESSIONS_DELAYED;

import io.smartrunner.event.EventRecord.BrowserClosed;
import io.smartrunner.event.EventRecord.BrowserCrashed;
import io.smartrunner.event.EventRecord.BrowserRecycled;
import io.smartrunner.event.EventRecord.BrowserReplaced;
import io.smartrunner.event.EventRecord.BrowserStarted;
import io.smartrunner.event.EventRecord.BreakerClosed;
import io.smartrunner.event.EventRecord.BreakerOpened;
import io.smartrunner.event.EventRecord.ConfigReloaded;
import io.smartrunner.event.EventRecord.InternalFault;
import io.smartrunner.event.EventRecord.LeasesTakenOver;
import io.smartrunner.event.EventRecord.RunnerStarted;
import io.smartrunner.event.EventRecord.RunnerStopped;
import io.smartrunner.event.EventRecord.PodPaused;
import io.smartrunner.event.EventRecord.PodUnpaused;
import io.smartrunner.event.EventRecord.PressureEnded;
import io.smartrunner.event.EventRecord.PressureStarted;
import io.smartrunner.event.EventRecord.ProfileForgotten;
import io.smartrunner.event.EventRecord.ProfilePaused;
import io.smartrunner.event.EventRecord.ProfileUnpaused;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.EventRecord.RecoveryExhausted;
import io.smartrunner.event.EventRecord.RunRequested;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.EventRecord.SessionStarted;
import io.smartrunner.event.EventRecord.StateImported;
import io.smartrunner.event.EventRecord.StreakReset;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the events of DESIGN §2, one factory per kind, so each kind's params (and their order
 * on the wire) are put in one place. The words of the wire are in {@link EventKinds} and
 * {@link EventParams}.
 * <p>Over 250 lines because it is the one place every kind is built (one short factory per kind,
 * 25 kinds); splitting it by kind would scatter the construction API.
 */
public final class Events {
    /** Every event kind the runner writes ({@code event} field), in the order of a session's life. */
    public static final List<String> KINDS = EventKinds.NAMES;

    /** What the loop was doing when it contained one ({@code params.while}): a bounded set, a metric label. */
    public static final List<String> LOOP_WORK = List.of("exited", "stopped", "launched", "step-done", "manual",
            "reload", "snapshot", "shutdown", "timers", "recovery", "pauses", "leftovers", "start", "browser");

    private Events() {
    }

    /** Written before the child is spawned, so it has no pid yet (the session's row in the store gets it). */
    public static SessionStarted sessionStarted(Instant ts, String pod, String profileId, String sessionId,
                                                String command) {
        return new SessionStarted(new Header(ts, pod, profileId, sessionId),
                Params.builder().put(COMMAND, command).build());
    }

    public static SessionFinished sessionFinished(Instant ts, String pod, String profileId, String sessionId,
                                                  Long durMs) {
        return new SessionFinished(new Header(ts, pod, profileId, sessionId),
                Params.builder().put(EXIT_CODE, 0).build(), durMs);
    }

    /**
     * {@code params} must hold at least reason and, where known, exitCode/signal and stderrTail,
     * built with the keys of {@link EventParams} in their wire order.
     */
    public static SessionFailed sessionFailed(Instant ts, String pod, String profileId, String sessionId,
                                              Params params, Long durMs) {
        return new SessionFailed(new Header(ts, pod, profileId, sessionId), params, durMs);
    }

    public static ProfilePaused profilePaused(Instant ts, String pod, String profileId, String sessionId,
                                              int errorStreak, Instant pausedUntil, String reason, String by,
                                              long durationMs, int pauseCount) {
        return new ProfilePaused(new Header(ts, pod, profileId, sessionId), Params.builder()
                .put(ERROR_STREAK, errorStreak).put(PAUSED_UNTIL, pausedUntil).put(REASON, reason).put(BY, by)
                .put(DURATION_MS, durationMs).put(PAUSE_COUNT, pauseCount).build());
    }

    public static ProfileUnpaused profileUnpaused(Instant ts, String pod, String profileId, long pausedForMs,
                                                  String by) {
        return new ProfileUnpaused(new Header(ts, pod, profileId, null),
                Params.builder().put(PAUSED_FOR_MS, pausedForMs).put(BY, by).build());
    }

    /** A streak set back to 0 by hand. */
    public static StreakReset streakReset(Instant ts, String pod, String profileId, int errorStreakWas, String by) {
        return new StreakReset(new Header(ts, pod, profileId, null),
                Params.builder().put(ERROR_STREAK_WAS, errorStreakWas).put(BY, by).build());
    }

    /** A profile's state copied from {@code from} into the fleet's store ({@code import-state}). */
    public static StateImported stateImported(Instant ts, String pod, String profileId, int errorStreak,
                                              boolean paused, Instant pausedUntil, int pauseCount, String from,
                                              boolean replaced, String by) {
        return new StateImported(new Header(ts, pod, profileId, null), Params.builder()
                .put(ERROR_STREAK, errorStreak).put(PAUSED, paused).putIfPresent(PAUSED_UNTIL, pausedUntil)
                .put(PAUSE_COUNT, pauseCount).put(FROM, from).put(REPLACED, replaced).put(BY, by).build());
    }

    /** A profile no runner runs any more removed from the fleet's store by hand (cluster mode). */
    public static ProfileForgotten profileForgotten(Instant ts, String pod, String profileId, String by) {
        return new ProfileForgotten(new Header(ts, pod, profileId, null), Params.builder().put(BY, by).build());
    }

    /** A session asked for by hand; its own start event follows when it starts. */
    public static RunRequested runRequested(Instant ts, String pod, String profileId, String by) {
        return new RunRequested(new Header(ts, pod, profileId, null), Params.builder().put(BY, by).build());
    }

    /** One ladder step attempt ({@code outcome}: see {@link RecoveryAttempted.Result}). */
    public static RecoveryAttempted recoveryAttempted(Instant ts, String pod, String profileId, String sessionId,
                                                      int step, String action, RecoveryAttempted.Result outcome,
                                                      String stepDetail, String verifyDetail, long durMs) {
        return recoveryAttempted(ts, pod, profileId, sessionId, step, action, outcome, stepDetail, verifyDetail, durMs,
                EpisodeStart.UNSAID, false);
    }

    /**
     * How an episode chose where to start, for its recover events; a null field is left out.
     *
     * @param strategy  recovery.strategy (fixed, adaptive)
     * @param signature the failure's signature (adaptive)
     * @param startStep 1-based step the episode started at (adaptive, or above a relapse)
     * @param relapseOf the step whose recovery the profile's next session undid: the episode starts above it
     */
    public record EpisodeStart(String strategy, String signature, Integer startStep, String relapseOf) {
        /** Nothing said of it. */
        public static final EpisodeStart UNSAID = new EpisodeStart(null, null, null, null);
    }

    /**
     * One ladder step attempt, saying how its episode chose where to start (#12.3).
     *
     * @param infrastructure the step failed because the browser provider could not be reached: the
     *                       event says {@code "class": "infrastructure"}, and the report leaves it
     *                       out of the step's success rate
     */
    public static RecoveryAttempted recoveryAttempted(Instant ts, String pod, String profileId, String sessionId,
                                                      int step, String action, RecoveryAttempted.Result outcome,
                                                      String stepDetail, String verifyDetail, long durMs,
                                                      EpisodeStart start, boolean infrastructure) {
        return new RecoveryAttempted(new Header(ts, pod, profileId, sessionId), Params.builder()
                .put(STEP, step).put(ACTION, action).put(ATTEMPT_OUTCOME, outcome).put(MESSAGE, stepDetail)
                .put(VERIFICATION, verifyDetail).putIfPresent(STRATEGY, start.strategy())
                .putIfPresent(SIGNATURE, start.signature()).putIfPresent(START_STEP, start.startStep())
                .putIfPresent(EventParams.RELAPSE_OF, start.relapseOf())
                // FailureClass.INFRASTRUCTURE's wire name (the profile package depends on this one, not back)
                .putIfPresent(EventParams.FAILURE_CLASS, infrastructure ? "infrastructure" : null)
                .build(), durMs);
    }

    /** An episode that used every step without the profile verifying healthy. */
    public static RecoveryExhausted recoveryExhausted(Instant ts, String pod, String profileId, String sessionId,
                                                      int stepsUsed, long durMs) {
        return recoveryExhausted(ts, pod, profileId, sessionId, stepsUsed, durMs, EpisodeStart.UNSAID);
    }

    /** An exhausted episode, saying how it chose where to start. */
    public static RecoveryExhausted recoveryExhausted(Instant ts, String pod, String profileId, String sessionId,
                                                      int stepsUsed, long durMs, EpisodeStart start) {
        return new RecoveryExhausted(new Header(ts, pod, profileId, sessionId), Params.builder()
                .put(STEP, stepsUsed).put(ACTION, EventParams.LADDER).put(OUTCOME_WORD, EventParams.EXHAUSTED)
                .put(MESSAGE, start.startStep() == null || start.startStep() <= 1
                        ? "all " + stepsUsed + " step(s) used without a healthy verification"
                        : stepsUsed + " step(s) from step " + start.startStep() + " used without a healthy verification")
                .putIfPresent(STRATEGY, start.strategy()).putIfPresent(SIGNATURE, start.signature())
                .putIfPresent(START_STEP, start.startStep()).putIfPresent(EventParams.RELAPSE_OF, start.relapseOf())
                .build(), durMs);
    }

    /**
     * An unexpected exception while the loop handled one unit of work ({@code work}, one of
     * {@link #LOOP_WORK}); {@code profileId} and {@code sessionId} are those it concerned, if any.
     */
    public static InternalFault internalError(Instant ts, String pod, String profileId, String sessionId, String work,
                                              String exceptionClass, String message) {
        return new InternalFault(new Header(ts, pod, profileId, sessionId), Params.builder()
                .put(EXCEPTION, exceptionClass).put(MESSAGE, message).put(WHILE, work).build());
    }

    // ---------------------------------------------------------------- admission control (issue #12.6)

    /**
     * New sessions are held back: the host is short of {@code what} ("memory" or "load")
     * ({@code pressure}/runner/held; no pod, profile or session).
     */
    public static PressureStarted pressure(Instant ts, String what, Number reading, Number limit, String unit,
                                           String message) {
        return new PressureStarted(new Header(ts, null, null, null), Params.builder().put(SHORT_OF, what)
                .put(READING, reading).put(LIMIT, limit).put(UNIT, unit).put(MESSAGE, message).build());
    }

    /** Held starts resume ({@code pressure-end}/runner/ok): how long, and how many sessions waited. */
    public static PressureEnded pressureEnd(Instant ts, long heldForMs, int sessionsDelayed) {
        return new PressureEnded(new Header(ts, null, null, null), Params.builder().put(HELD_FOR_MS, heldForMs)
                .put(SESSIONS_DELAYED, sessionsDelayed).build(), heldForMs);
    }

    /**
     * The runner began ({@code runner-start}/runner/ok): the first event of its run, before its
     * start-up's own (a previous run's sessions closed as {@code lost}, a hold ended by the restart).
     * In cluster mode {@code params.runner} names the runner, as on every event it writes.
     *
     * @param previous the data dir's previous run as on record, or null when there is none
     * @param version  the build ({@link io.smartrunner.BuildInfo#version()}): which jar wrote what follows
     */
    public static RunnerStarted runnerStarted(Instant ts, long pid, int profiles, int pods, PreviousRun previous,
                                              String version) {
        Params.Builder p = Params.builder().put(EventParams.PID, pid).put(EventParams.VERSION, version)
                .put(PROFILES, profiles).put(EventParams.PODS, pods)
                .put(EventParams.PREVIOUS_STOP, previous == null ? "none" : previous.stopped() ? "clean" : "unclean");
        if (previous != null) {
            p.put(EventParams.PREVIOUS_PID, previous.pid()).put(EventParams.PREVIOUS_START, previous.startedAt());
        }
        return new RunnerStarted(new Header(ts, null, null, null), p.build());
    }

    /** The data dir's previous run: its pid, when it began, whether its stop was written. */
    public record PreviousRun(long pid, Instant startedAt, boolean stopped) {
    }

    /** The runner stopped ({@code runner-stop}/runner/ok): the last event of its run; durMs is how long it ran. */
    public static RunnerStopped runnerStopped(Instant ts, long pid, long ranForMs, int sessionsStopped) {
        return new RunnerStopped(new Header(ts, null, null, null), Params.builder()
                .put(EventParams.PID, pid).put(EventParams.SESSIONS_STOPPED, sessionsStopped).build(), ranForMs);
    }

    /**
     * Cluster mode: leases taken whose holder {@code from} (its runner.name) had stopped renewing them
     * ({@code takeover}/runner/ok): how many, which, and how many sessions its rows still showed
     * running (each closed once, with a {@code lost} error unless its end was recorded already).
     */
    public static LeasesTakenOver takenOver(Instant ts, String from, List<String> profileIds, int sessionsOpen) {
        return new LeasesTakenOver(new Header(ts, null, null, null), Params.builder().put(FROM, from)
                .put(PROFILES, profileIds.size()).put(EventParams.PROFILE_IDS, listed(profileIds, IDS_LISTED))
                .put(EventParams.SESSIONS_OPEN, sessionsOpen).build());
    }

    /** The first {@code max} ids, comma-separated, and "… N more". */
    public static String listed(List<String> ids, int max) {
        return ids.size() <= max ? String.join(", ", ids)
                : String.join(", ", ids.subList(0, max)) + " … " + (ids.size() - max) + " more";
    }

    /** How many removed profiles a {@code reload} event names; a reload of a whole fleet says the rest's count. */
    public static final int IDS_LISTED = 50;

    /**
     * The configuration was read again and applied ({@code reload}/runner/ok): what it changed.
     * Empty lists are left out of the line.
     *
     * @param config the file read, or null for a configuration built in code
     */
    public static ConfigReloaded reloaded(Instant ts, String config, int added, List<String> removed, int changed,
                                          List<String> applied, List<String> restartNeededFor) {
        String removedIds = listed(removed, IDS_LISTED);
        return new ConfigReloaded(new Header(ts, null, null, null), Params.builder()
                .putIfPresent(EventParams.CONFIG, config).put(EventParams.ADDED, added)
                .put(EventParams.REMOVED, removed.size()).put(EventParams.CHANGED, changed)
                .putIfPresent(EventParams.REMOVED_IDS, removed.isEmpty() ? null : removedIds)
                .putIfPresent(EventParams.APPLIED, applied.isEmpty() ? null : String.join(", ", applied))
                .putIfPresent(EventParams.RESTART_NEEDED_FOR,
                        restartNeededFor.isEmpty() ? null : String.join(", ", restartNeededFor))
                .build());
    }

    // ---------------------------------------------------------------- browser hygiene (issue #12.5)

    /** A profile's browser launched (or adopted) where none was open; {@code durMs}: how long the start took. */
    public static BrowserStarted browserStarted(Instant ts, String pod, String profileId, String sessionId,
                                                Params params, Long durMs) {
        return new BrowserStarted(new Header(ts, pod, profileId, sessionId), params, durMs);
    }

    /** A profile's browser closed on request; {@code swept}: its processes the runner had to kill. */
    public static BrowserClosed browserClosed(Instant ts, String pod, String profileId, String sessionId,
                                              Params params) {
        return new BrowserClosed(new Header(ts, pod, profileId, sessionId), params);
    }

    /** An open browser that exited or stopped answering, replaced by a new one ({@code pid}; {@code oldPid}). */
    public static BrowserReplaced browserReplaced(Instant ts, String pod, String profileId, String sessionId,
                                                  Params params, Long durMs) {
        return new BrowserReplaced(new Header(ts, pod, profileId, sessionId), params, durMs);
    }

    /** browser.recycle: a working browser closed and started afresh between sessions. */
    public static BrowserRecycled browserRecycled(Instant ts, String pod, String profileId, String sessionId,
                                                  Params params, Long durMs) {
        return new BrowserRecycled(new Header(ts, pod, profileId, sessionId), params, durMs);
    }

    /** A browser that exited without being asked to ({@code reason} e.g. "exited with signal SIGSEGV"). */
    public static BrowserCrashed browserCrashed(Instant ts, String pod, String profileId, String sessionId,
                                                Params params) {
        return new BrowserCrashed(new Header(ts, pod, profileId, sessionId), params);
    }

    // ---------------------------------------------------------------- whom to blame (issue #12.1, #12.2)

    /** {@code params.by} of decisions the fleet breaker takes (forgiving streaks, unpausing). */
    public static final String BY_BREAKER = "breaker";
    /**
     * {@code params.by} of an unpause a small pod's recovery makes: the profile was paused while
     * every other profile of its pod was failing too, and one of those has now succeeded.
     */
    public static final String BY_POD_RECOVERED = "pod-recovered";

    /**
     * Part of a streak taken back ({@code reset}/profile/ok, like a reset by hand, but not always to
     * 0): the failures that caused it were blamed on something shared once the breaker opened.
     */
    public static StreakReset streakForgiven(Instant ts, String pod, String profileId, int errorStreakWas,
                                             int errorStreak, String by) {
        return new StreakReset(new Header(ts, pod, profileId, null), Params.builder()
                .put(ERROR_STREAK_WAS, errorStreakWas).put(BY, by).put(ERROR_STREAK, errorStreak).build());
    }

    /**
     * A pod's fleet breaker opened ({@code breaker-open}/pod/open): {@code failed} of the {@code ended}
     * sessions that ended in the last {@code windowMs} failed, across {@code profiles} profiles, the
     * last {@code inARow} of them in a row.
     */
    public static BreakerOpened breakerOpened(Instant ts, String pod, int ended, int failed, int profiles,
                                              double ratio, long windowMs, int inARow) {
        return new BreakerOpened(new Header(ts, pod, null, null), Params.builder().put(ENDED, ended)
                .put(FAILED, failed).put(PROFILES, profiles).put(RATIO, ratio).put(WINDOW_MS, windowMs)
                .put(IN_A_ROW, inARow).build());
    }

    /** A probe session succeeded: the pod's breaker closed ({@code breaker-close}/pod/ok). */
    public static BreakerClosed breakerClosed(Instant ts, String pod, long openForMs, int probes) {
        return new BreakerClosed(new Header(ts, pod, null, null), Params.builder().put(OPEN_FOR_MS, openForMs)
                .put(PROBES, probes).build(), openForMs);
    }

    /**
     * A pod held: no new session starts in it ({@code pod-pause}/pod/paused) until a reload, a
     * restart or an unpause by hand; e.g. a session exited with a code mapped to {@code config}.
     */
    public static PodPaused podPaused(Instant ts, String pod, String reason, String profileId, String sessionId,
                                      Integer exitCode, String by) {
        return new PodPaused(new Header(ts, pod, null, null), Params.builder().put(REASON, reason)
                .put(PROFILE_ID, profileId).put(SESSION_ID, sessionId).put(EXIT_CODE, exitCode).put(BY, by).build());
    }

    /** A held pod starts sessions again ({@code pod-unpause}/pod/ok). */
    public static PodUnpaused podUnpaused(Instant ts, String pod, long pausedForMs, String by) {
        return new PodUnpaused(new Header(ts, pod, null, null),
                Params.builder().put(PAUSED_FOR_MS, pausedForMs).put(BY, by).build());
    }

    // ---------------------------------------------------------------- fleet view (issue #11.6)

    /**
     * The same event with {@code params.runner} set to the runner that writes it (cluster mode):
     * last among the params, so the rest of the line stays as it was; a line that already names a
     * runner keeps it.
     */
    public static EventRecord writtenBy(EventRecord e, String runner) {
        if (e.params().containsKey(RUNNER.wireName())) {
            return e;
        }
        return EventKinds.withParams(e, Params.builder().putAll(e.params()).put(RUNNER, runner).build());
    }

    /** An insertion-ordered map from alternating keys and values (for alert details and the like). */
    public static Map<String, Object> params(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
