package io.smartrunner.profile;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The profile state machine of DESIGN §2 as pure functions of (state, observation, now): error
 * streak, automatic and manual pause, automatic unpause. Nothing here reads a clock, touches a
 * file or starts a process; the supervisor performs the returned effects.
 */
public final class ProfileRules {
    /** {@code params.by} for decisions the runner takes on its own. */
    public static final String BY_RUNNER = "runner";
    /** The message recorded with a session stopped because its profile was paused by hand. */
    public static final String PAUSED_BY_HAND = "the profile was paused by hand";

    private final PausePolicy pausePolicy;
    /** Uniform draws in [0, 1) for the pause jitter: an input like the time, injected (seeded in tests). */
    private final DoubleSupplier pauseDraws;

    /** Without draws: every automatic pause lasts its nominal length (replay, offline control). */
    public ProfileRules(PausePolicy pausePolicy) {
        this(pausePolicy, () -> 0.5);
    }

    public ProfileRules(PausePolicy pausePolicy, DoubleSupplier pauseDraws) {
        this.pausePolicy = pausePolicy;
        this.pauseDraws = pauseDraws;
    }

    /** A session of the profile has been started. */
    public ProfileState sessionStarted(ProfileState s, String sessionId, Instant now) {
        return new ProfileState(s.profileId(), s.pod(), s.errorStreak(), true, s.needsRecovery(), s.paused(),
                s.pausedUntil(), sessionId, s.lastError(), now, s.lastFinishedAt(), s.pauseCount(), s.pausedAt());
    }

    /**
     * A session ended, its failure (if any) blamed by its reason alone ({@link Blame#of}); see
     * {@link #sessionEnded(ProfileState, String, SessionResult, Blame, Instant)}.
     */
    public Transition sessionEnded(ProfileState s, String sessionId, SessionResult result, Instant now) {
        return sessionEnded(s, sessionId, result, result.succeeded() ? null : Blame.of(result), now);
    }

    /**
     * A session ended. Success resets the streak and clears needsRecovery. A failure of class
     * {@code profile} increments the streak and either pauses the profile (streak above the maximum,
     * unless the blame withholds the pause) or flags it for recovery; {@code infrastructure} and
     * {@code shared} failures change neither the streak nor a pause, and start no recovery (DESIGN
     * §2b). Every failure but a session stopped by the runner's shutdown sets lastError.
     *
     * @param blame null for a success
     */
    public Transition sessionEnded(ProfileState s, String sessionId, SessionResult result, Blame blame,
                                   Instant now) {
        if (result.succeeded()) {
            // a success ends a run of repeated pauses: the next pause is judged afresh (no back-off)
            ProfileState next = new ProfileState(s.profileId(), s.pod(), 0, false, false, s.paused(),
                    s.pausedUntil(), sessionId, null, s.lastStartedAt(), now, s.paused() ? s.pauseCount() : 0,
                    s.pausedAt());
            return new Transition(next, List.of(
                    Events.sessionFinished(now, s.pod(), s.profileId(), sessionId, result.durMs())), whilePaused(next));
        }
        boolean counts = blame.failureClass().countsTowardsStreak();
        int streak = counts ? s.errorStreak() + 1 : s.errorStreak();
        // a failure that does not count is still what the operator should see next to the profile
        String lastError = result.reason() != FailureReason.SHUTDOWN ? summary(result) : s.lastError();
        boolean wouldPause = counts && !s.paused() && pausePolicy.shouldPause(streak);
        boolean withheld = wouldPause && blame.pauseWithheld() != null;
        List<EventRecord> events = new ArrayList<>();
        events.add(Events.sessionFailed(now, s.pod(), s.profileId(), sessionId,
                errorParams(result, blame, streak, withheld), result.durMs()));
        ProfileState failed = new ProfileState(s.profileId(), s.pod(), streak, false,
                s.needsRecovery() || counts, s.paused(), s.pausedUntil(), sessionId, lastError,
                s.lastStartedAt(), now, s.pauseCount(), s.pausedAt());
        if (wouldPause && !withheld) {
            Duration d = pausePolicy.automaticDuration(s.pauseCount(), pauseDraws.getAsDouble());
            String why = "errorStreak " + streak + " > maxErrorStreak " + pausePolicy.maxErrorStreak();
            Transition paused = pause(failed, sessionId, now, d, why, BY_RUNNER);
            events.addAll(paused.events());
            return new Transition(paused.state(), events, Transition.Effects.paused(null)); // the session is over
        }
        // DESIGN §2: a failed session that counts and did not pause the profile starts a recovery episode
        boolean recover = counts && !failed.paused();
        return new Transition(failed, events, recover ? Transition.Effects.beginEpisode(sessionId)
                : whilePaused(failed));
    }

    /**
     * Takes back {@code increments} of the streak (never below 0) that failures later blamed on
     * something shared caused: the fleet breaker forgives the failures that opened it. A pause or a
     * needed recovery stays as it is.
     */
    public Transition forgive(ProfileState s, int increments, Instant now, String by) {
        int streak = Math.max(0, s.errorStreak() - Math.max(0, increments));
        if (streak == s.errorStreak()) {
            return Transition.unchanged(s);
        }
        ProfileState next = new ProfileState(s.profileId(), s.pod(), streak, s.running(), s.needsRecovery(),
                s.paused(), s.pausedUntil(), s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(),
                s.pauseCount(), s.pausedAt());
        return new Transition(next, List.of(Events.streakForgiven(now, s.pod(), s.profileId(), s.errorStreak(),
                streak, by)));
    }

    /** A recovery episode verified the profile healthy: it needs no more recovery (the streak stays). */
    public ProfileState recovered(ProfileState s) {
        return new ProfileState(s.profileId(), s.pod(), s.errorStreak(), s.running(), false, s.paused(),
                s.pausedUntil(), s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(),
                s.pauseCount(), s.pausedAt());
    }

    /**
     * Pauses the profile until {@code now + duration} (UTC instant arithmetic, so a DST change
     * never stretches or shortens it). A pause supersedes recovery: needsRecovery is cleared, the
     * episode is cancelled, a running session is stopped (not counted) and the browser closed.
     */
    public Transition pause(ProfileState s, String sessionId, Instant now, Duration duration, String reason,
                            String by) {
        Instant until = now.plus(duration);
        // the repeat count is the automatic back-off's: a maintenance pause by hand must not lengthen it
        int pauses = BY_RUNNER.equals(by) ? s.pauseCount() + 1 : s.pauseCount();
        ProfileState next = new ProfileState(s.profileId(), s.pod(), s.errorStreak(), s.running(), false, true,
                until, s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(), pauses, now);
        return new Transition(next, List.of(Events.profilePaused(now, s.pod(), s.profileId(), sessionId,
                s.errorStreak(), until, reason, by, duration.toMillis(), pauses)), Transition.Effects.paused(PAUSED_BY_HAND));
    }

    /** Whether one more failure of the profile's own would pause it (its pause may still be withheld). */
    public boolean nextFailurePauses(ProfileState s) {
        return !s.paused() && pausePolicy.shouldPause(s.errorStreak() + 1);
    }

    /** Ends the pause when its time has come; otherwise nothing changes. */
    public Transition expirePause(ProfileState s, Instant now) {
        if (!s.paused() || s.pausedUntil() == null || now.isBefore(s.pausedUntil())) {
            return Transition.unchanged(s);
        }
        return unpause(s, now, BY_RUNNER);
    }

    /** Ends a pause now (automatically or by hand): the streak starts again from 0. */
    public Transition unpause(ProfileState s, Instant now, String by) {
        if (!s.paused()) {
            return Transition.unchanged(s);
        }
        long pausedFor = pausedSince(s, now);
        // a pause the breaker (or a small pod's recovery) takes back was the outage's, not the profile's: its next
        // pause is not made longer for it
        int pauses = Events.BY_BREAKER.equals(by) || Events.BY_POD_RECOVERED.equals(by)
                ? Math.max(0, s.pauseCount() - 1) : s.pauseCount();
        ProfileState next = new ProfileState(s.profileId(), s.pod(), 0, s.running(), false, false, null,
                s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(), pauses, null);
        return new Transition(next, List.of(Events.profileUnpaused(now, s.pod(), s.profileId(), pausedFor, by)));
    }

    /** Sets the streak back to 0 by hand; a pause or a needed recovery stays as it is. */
    public Transition resetStreak(ProfileState s, Instant now, String by) {
        ProfileState next = new ProfileState(s.profileId(), s.pod(), 0, s.running(), s.needsRecovery(), s.paused(),
                s.pausedUntil(), s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(),
                s.pauseCount(), s.pausedAt());
        return new Transition(next, List.of(Events.streakReset(now, s.pod(), s.profileId(), s.errorStreak(), by)));
    }

    /**
     * Whether the scheduler may start a session of the profile now.
     *
     * @param cooldownOver the profile's cooldown (timed on the monotonic clock) has passed
     */
    public static boolean eligible(ProfileState s, boolean cooldownOver) {
        return !s.running() && !s.paused() && cooldownOver;
    }

    /**
     * A session of a profile paused while it ran (stopped by that pause) ends: the browser it may
     * have used is closed again, in case the session had it opened after the pause closed it.
     */
    private static Transition.Effects whilePaused(ProfileState after) {
        return after.paused() ? Transition.Effects.browserClosed() : Transition.Effects.NONE;
    }

    private static long pausedSince(ProfileState s, Instant now) {
        return s.pausedAt() == null ? 0 : Math.max(0, Duration.between(s.pausedAt(), now).toMillis());
    }

    private static Params errorParams(SessionResult r, Blame blame, int streak, boolean withheld) {
        Params.Builder p = Params.builder();
        p.put(EventParams.REASON, r.reason().wireName());
        p.put(EventParams.FAILURE_CLASS, blame.failureClass().wireName());
        if (blame.meaning() != null) {
            p.put(EventParams.MEANING, blame.meaning());
        }
        p.put(EventParams.EXIT_CODE, r.exitCode());
        if (r.signal() != null) {
            p.put(EventParams.SIGNAL, r.signal());
        }
        if (r.detail() != null) {
            p.put(EventParams.MESSAGE, r.detail());
        }
        p.put(EventParams.STDERR_TAIL, r.stderrTail() == null ? "" : r.stderrTail());
        p.put(EventParams.ERROR_STREAK, streak);
        if (withheld) {
            p.put(EventParams.PAUSE_WITHHELD, blame.pauseWithheld());
        }
        return p.build();    }

    private static String summary(SessionResult r) {
        StringBuilder b = new StringBuilder(r.reason().wireName());
        if (r.signal() != null) {
            b.append(' ').append(r.signal());
        } else if (r.exitCode() != null) {
            b.append(" (exit ").append(r.exitCode()).append(')');
        }
        if (r.detail() != null) {
            b.append(": ").append(r.detail());
        }
        return b.toString();
    }
}
