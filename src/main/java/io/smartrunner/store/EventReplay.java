package io.smartrunner.store;

import io.smartrunner.config.ProfileId;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.ProfilePaused;
import io.smartrunner.event.EventRecord.ProfileUnpaused;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.EventRecord.SessionStarted;
import io.smartrunner.event.EventRecord.StateImported;
import io.smartrunner.event.EventRecord.StreakReset;
import io.smartrunner.profile.Blame;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Rebuilds profile and session state by replaying the event log through the same pure rules the
 * runner applies ({@link ProfileRules}): start, finish, error, pause, unpause, reset and a
 * recovery that verified healthy. The automatic pause is not re-derived from the streak: the
 * log holds it as its own pause event, which is replayed as written (so a pause policy changed
 * since makes no difference). Values a line carries absolutely (errorStreak, pausedUntil,
 * pauseCount) are taken from it, so a log whose oldest files were deleted by retention still
 * rebuilds the present. A session whose start has no terminal event stays open (running), for
 * the runner's crash reconciliation to close once with {@code lost}. Not thread-safe.
 */
final class EventReplay implements Consumer<EventRecord> {
    /** Never pauses on its own: pauses are replayed from their events. */
    private static final ProfileRules RULES = new ProfileRules(
            new PausePolicy(Integer.MAX_VALUE, Duration.ZERO, 1, Duration.ZERO));

    private final int sessionsKept;
    private final Map<String, ProfileState> profiles = new LinkedHashMap<>();
    private final Map<String, SessionRecord> open = new LinkedHashMap<>();
    private final Map<String, Deque<SessionRecord>> ended = new LinkedHashMap<>();
    private long events;
    /** Lines naming a profile or pod no configuration can have (a log edited or damaged by hand). */
    private long refused;
    /** Pauses whose pausedUntil could not be read: they end at ts + durationMs instead, and are counted. */
    private long unreadableUntil;

    EventReplay(int sessionsKept) {
        this.sessionsKept = sessionsKept;
    }

    @Override
    public void accept(EventRecord e) {
        if (e.profileId() == null || e.ts() == null) {
            return;
        }
        if (!restoresAProfile(e)) {
            refused++; // "../../etc" would become a profile of the store that nothing could name again
            return;
        }
        events++;
        ProfileState s = profiles.getOrDefault(e.profileId(), ProfileState.fresh(e.profileId(), e.pod()));
        if (e.pod() != null && !e.pod().equals(s.pod())) {
            s = s.withPod(e.pod());
        }
        profiles.put(e.profileId(), apply(s, e));
    }

    /** Whether the replay takes this event into a profile's state: the runner's own events it does not. */
    static boolean restoresAProfile(EventRecord e) {
        return e.profileId() != null && e.ts() != null && ProfileId.isValid(e.profileId())
                && (e.pod() == null || ProfileId.isValid(e.pod()));
    }

    private ProfileState apply(ProfileState s, EventRecord e) {
        if (e instanceof SessionStarted) {
            open.put(e.sessionId(), new SessionRecord(e.sessionId(), e.profileId(), e.pod(), 0, 0, 0, e.ts(),
                    SessionRecord.Status.RUNNING, null, null, null));
            return RULES.sessionStarted(s, e.sessionId(), e.ts());
        }
        if (e instanceof SessionFinished) {
            close(e, SessionRecord.Status.FINISHED, null, 0);
            return RULES.sessionEnded(s, e.sessionId(), SessionResult.success(dur(e)), e.ts()).state();
        }
        if (e instanceof SessionFailed f) {
            SessionResult r = failure(f);
            close(e, SessionRecord.Status.FAILED, r.reason().wireName(), r.exitCode());
            ProfileState next = RULES.sessionEnded(s, e.sessionId(), r, blame(s, r, f), e.ts()).state();
            return withStreak(next, or(f.param(EventParams.ERROR_STREAK), next.errorStreak()));
        }
        if (e instanceof ProfilePaused paused) {
            long ms = or(paused.durationMs(), 0);
            if (paused.pausedUntilUnreadable()) {
                unreadableUntil++;
            }
            ProfileState next = RULES.pause(s, e.sessionId(), e.ts(), Duration.ofMillis(ms),
                    paused.reason(), paused.by()).state();
            Instant until = paused.pausedUntil() == null ? next.pausedUntil() : paused.pausedUntil();
            return new ProfileState(next.profileId(), next.pod(), next.errorStreak(), next.running(),
                    next.needsRecovery(), true, until, next.lastSessionId(), next.lastError(),
                    next.lastStartedAt(), next.lastFinishedAt(), (int) or(paused.pauseCount(),
                    next.pauseCount()), next.pausedAt());
        }
        if (e instanceof ProfileUnpaused u) {
            return RULES.unpause(s, e.ts(), u.by()).state();
        }
        if (e instanceof StreakReset r) {
            ProfileState reset = RULES.resetStreak(s, e.ts(), r.by()).state();
            // the breaker takes back part of a streak: the line says what it left
            return withStreak(reset, or(r.errorStreak(), 0));
        }
        if (e instanceof StateImported i) {
            // the state as the single machine had it, put in place whole (import-state)
            return new ProfileState(s.profileId(), s.pod(), i.errorStreak(), false, s.needsRecovery(), i.paused(),
                    i.paused() ? i.pausedUntil() : null, s.lastSessionId(), s.lastError(), s.lastStartedAt(),
                    s.lastFinishedAt(), (int) or(i.pauseCount(), s.pauseCount()),
                    i.paused() ? (s.pausedAt() != null ? s.pausedAt() : e.ts()) : null);
        }
        if (e instanceof RecoveryAttempted a) {
            return a.result() == RecoveryAttempted.Result.OK ? RULES.recovered(s) : s;
        }
        return s; // run (its start follows), an exhausted episode, and kinds this version does not know
    }

    /**
     * The class the line logged. A line written before failure classes existed has none; it was
     * counted as its release counted it, which the streak it logs says: a line that raised the
     * streak was the profile's (so it also left the profile needing recovery, as the store that
     * release wrote says), one that did not takes its reason's class. Today's rule for its reason
     * alone (a lost session is the runner's) would keep the logged streak but not its recovery.
     */
    private static Blame blame(ProfileState before, SessionResult r, SessionFailed f) {
        Blame logged = Blame.logged(r, f);
        Number streak = f.param(EventParams.ERROR_STREAK);
        boolean preClass = f.param(EventParams.FAILURE_CLASS) == null;
        return preClass && streak != null && streak.longValue() > before.errorStreak()
                ? logged.as(FailureClass.PROFILE) : logged;
    }

    private void close(EventRecord e, SessionRecord.Status status, String reason, Integer exitCode) {
        SessionRecord started = open.remove(e.sessionId());
        if (e.sessionId() == null) {
            return;
        }
        if (started == null) { // its start is in a file retention deleted
            Long dur = e.durMs();
            started = new SessionRecord(e.sessionId(), e.profileId(), e.pod(), 0, 0, 0,
                    dur == null ? e.ts() : e.ts().minusMillis(dur), SessionRecord.Status.RUNNING, null, null, null);
        }
        Deque<SessionRecord> kept = ended.computeIfAbsent(e.profileId(), k -> new ArrayDeque<>());
        kept.addLast(started.ended(status, e.ts(), reason, exitCode));
        if (kept.size() > sessionsKept) {
            kept.removeFirst();
        }
    }

    private static SessionResult failure(SessionFailed e) {
        FailureReason reason = FailureReason.EXIT;
        try {
            reason = FailureReason.valueOf(e.reason().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException ignored) {
            // an unknown reason counts, as every failure but shutdown does
        }
        return new SessionResult(reason, e.param(EventParams.EXIT_CODE), e.param(EventParams.SIGNAL),
                e.param(EventParams.MESSAGE), e.param(EventParams.STDERR_TAIL), dur(e));
    }

    private static ProfileState withStreak(ProfileState s, long streak) {
        return new ProfileState(s.profileId(), s.pod(), (int) streak, s.running(), s.needsRecovery(), s.paused(),
                s.pausedUntil(), s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(),
                s.pauseCount(), s.pausedAt());
    }

    private static Long dur(EventRecord e) {
        return e.durMs();
    }

    private static long or(Number v, long fallback) {
        return v == null ? fallback : v.longValue();
    }

    /** Events replayed (those naming a profile). */
    long refused() {
        return refused;
    }

    long unreadableUntil() {
        return unreadableUntil;
    }

    long events() {
        return events;
    }

    Map<String, ProfileState> profiles() {
        return profiles;
    }

    /** The sessions to write: the newest ended ones of each profile, then those still open. */
    List<SessionRecord> sessions() {
        List<SessionRecord> out = new ArrayList<>();
        ended.values().forEach(out::addAll);
        out.addAll(open.values());
        return out;
    }
}
