package io.smartrunner.report;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.ProfilePaused;
import io.smartrunner.event.EventRecord.ProfileUnpaused;
import io.smartrunner.event.EventRecord.StateImported;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.EventRecord.RecoveryExhausted;
import io.smartrunner.event.EventRecord.RunnerWide;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.EventRecord.SessionStarted;
import io.smartrunner.event.EventRecord.StreakReset;
import io.smartrunner.event.Events;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.FailureReason;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recovery analytics from the event log (the spec's "track recovery success rates"): per ladder
 * step and per pod. Fed one event at a time, so a log of any size is read in one pass with
 * memory bounded by the open episodes. Not thread-safe.
 */
public final class RecoveryReport {
    private final Map<String, StepStats> steps = new TreeMap<>();
    private final Map<String, PodStats> pods = new TreeMap<>();
    /**
     * Per profile, its last failed session and when its error was logged, until its episode ends.
     * Keyed by profile (a later failure supersedes an earlier one), so it stays as small as the
     * fleet however long the log: with no ladder, episodes never end.
     */
    private final Map<String, Failure> failedAt = new HashMap<>();
    /** Profiles whose episode ended recovered, until their next session ends ({@link PodStats#relapsed}). */
    private final Map<String, PodStats> awaitingVerdict = new HashMap<>();
    /**
     * Profiles whose last failure was counted a relapse, until their next session ends: an opening
     * breaker that forgives their latest failures takes the relapse back (it was the outage's).
     */
    private final Map<String, PodStats> relapseOpen = new HashMap<>();
    /** The ladder's statistics per failure signature, when the state store was read. */
    private LadderStatsReport signatures;

    private record Failure(String sessionId, Instant at) {
    }

    /** Counts for one ladder step (by action name). */
    public static final class StepStats {
        public long attempts;
        public long ok;
        public long unhealthy;
        public long failed;
        /** Attempts that failed because the browser provider could not be reached: not in {@link #attempts}. */
        public long providerUnreachable;
        long durMsTotal;

        public double successRate() {
            return attempts == 0 ? 0 : (double) ok / attempts;
        }

        public double meanDurMs() {
            return attempts == 0 ? 0 : (double) durMsTotal / attempts;
        }
    }

    /** Counts for one pod. */
    public static final class PodStats {
        public long sessions;
        public long failures;
        /**
         * Failures of class {@code profile} (the profile's own fault; a log before the classes: all),
         * less those an opening breaker took back (they were the outage's).
         */
        public long ownFailures;
        public long episodes;
        public long recovered;
        /**
         * Recovered episodes whose profile's next session failed again by its own fault: the check
         * passed, the failure did not go. The default {@code browser} check looks at the browser, not
         * at the worker, so a profile whose worker always fails was "recovered" every time (reviewer
         * R24: 39 of 39 for a profile that never worked).
         */
        public long relapsed;
        public long exhausted;
        /**
         * Pauses, less the automatic ones taken back as an outage's: by an opening breaker, or
         * lifted when a small pod's peer that failed with the profile succeeded ({@code pod-recovered}).
         */
        public long pauses;
        /** Each profile's pauses that stand: a pause taken back (as in {@link #pauses}) does not make a profile paused. */
        final Map<String, Integer> pausesOf = new HashMap<>();
        /** The profiles whose imported pause is counted ({@code import-state}, once each). */
        final java.util.Set<String> pausesImported = new java.util.HashSet<>();
        long recoveryMsTotal;
        /** Recoveries whose time is known: the failure's event was read, and the wall clock did not step back between. */
        long recoveriesTimed;

        public long profilesPaused() {
            return pausesOf.values().stream().filter(n -> n > 0).count();
        }

        /**
         * Mean time from a session's failure to the step that verified its profile healthy, over
         * the recoveries whose time is known; null without one. A recovery logged before its
         * failure (the wall clock stepped back between them) is left out: it used to count as 0,
         * and one such recovery made the MTTR 0.
         */
        public Double meanTimeToRecoveryMs() {
            return recoveriesTimed == 0 ? null : (double) recoveryMsTotal / recoveriesTimed;
        }
    }

    public void add(EventRecord e) {
        if (e instanceof RunnerWide) {
            return; // the runner's own events (admission control, reloads) belong to no pod
        }
        PodStats pod = pods.computeIfAbsent(e.pod() == null ? "-" : e.pod(), k -> new PodStats());
        if (e instanceof SessionStarted) {
            pod.sessions++;
        } else if (e instanceof SessionFailed f) {
            // a session stopped by the runner (its stop, a pause by hand, a reload) did not fail
            if (FailureReason.SHUTDOWN.wireName().equals(f.reason())) {
                return;
            }
            pod.failures++;
            String failureClass = f.param(EventParams.FAILURE_CLASS);
            boolean own = failureClass == null || FailureClass.PROFILE.wireName().equals(failureClass);
            if (own) {
                pod.ownFailures++;
            }
            if (e.sessionId() != null && e.ts() != null) {
                failedAt.put(e.profileId(), new Failure(e.sessionId(), e.ts()));
            }
            relapseOpen.remove(e.profileId()); // an earlier relapse stands
            PodStats waited = awaitingVerdict.remove(e.profileId());
            if (waited != null && own) {
                waited.relapsed++;
                relapseOpen.put(e.profileId(), waited);
            }
        } else if (e instanceof SessionFinished) {
            failedAt.remove(e.profileId());
            awaitingVerdict.remove(e.profileId()); // it held
            relapseOpen.remove(e.profileId());
        } else if (e instanceof ProfilePaused) {
            pod.pauses++;
            pod.pausesOf.merge(e.profileId(), 1, Integer::sum);
        } else if (e instanceof StateImported i && i.paused() && pod.pausesImported.add(e.profileId())) {
            // a pause the single machine made, its own event in that machine's log: the fleet's
            // history has only this; counted once however often the profile was imported
            pod.pauses++;
            pod.pausesOf.merge(e.profileId(), 1, Integer::sum);
        } else if (e instanceof ProfileUnpaused u && (Events.BY_BREAKER.equals(u.by())
                || Events.BY_POD_RECOVERED.equals(u.by()))) {
            // the pause was the outage's, taken back: not the profile's own
            pod.pauses = Math.max(0, pod.pauses - 1);
            pod.pausesOf.computeIfPresent(e.profileId(), (id, n) -> n - 1);
        } else if (e instanceof StreakReset r && Events.BY_BREAKER.equals(r.by())) {
            Integer was = r.params().value(EventParams.ERROR_STREAK_WAS);
            int left = r.errorStreak() == null ? 0 : r.errorStreak();
            pod.ownFailures = Math.max(0, pod.ownFailures - Math.max(0, (was == null ? 0 : was) - left));
            PodStats relapsedIn = (was == null ? 0 : was) > left ? relapseOpen.remove(e.profileId()) : null;
            if (relapsedIn != null) { // its latest failure, the relapse, was the outage's
                relapsedIn.relapsed = Math.max(0, relapsedIn.relapsed - 1);
            }
        } else if (e instanceof RecoveryExhausted) {
            pod.exhausted++;
            pod.episodes++;
            failedAt.remove(e.profileId());
        } else if (e instanceof RecoveryAttempted a) {
            attempted(a, pod);
        }
    }

    private void attempted(RecoveryAttempted e, PodStats pod) {
        StepStats s = steps.computeIfAbsent(String.valueOf(e.action()), k -> new StepStats());
        if (e.infrastructure()) {
            s.providerUnreachable++; // could not be tried: says nothing of how well the step heals
            return;
        }
        s.attempts++;
        s.durMsTotal += e.durMs() == null ? 0 : e.durMs();
        if (e.result() == RecoveryAttempted.Result.OK) {
            s.ok++;
            pod.recovered++;
            pod.episodes++;
            awaitingVerdict.put(e.profileId(), pod); // its next session's end says whether it held
            Failure f = failedAt.remove(e.profileId());
            Instant failed = f != null && f.sessionId().equals(e.sessionId()) ? f.at() : null;
            long took = failed != null && e.ts() != null ? Duration.between(failed, e.ts()).toMillis() : -1;
            if (took >= 0) {
                pod.recoveryMsTotal += took;
                pod.recoveriesTimed++;
            }
        } else if (e.result() == RecoveryAttempted.Result.UNHEALTHY) {
            s.unhealthy++;
        } else {
            s.failed++;
        }
    }

    public Map<String, StepStats> steps() {
        return steps;
    }

    public Map<String, PodStats> pods() {
        return pods;
    }

    /** Adds the state store's per-signature statistics (the JSON's {@code signatures}). */
    public void ladderStats(LadderStatsReport stats) {
        this.signatures = stats;
    }

    /** The per-signature statistics, null when the state store was not read. */
    public LadderStatsReport ladderStats() {
        return signatures;
    }

    /** The whole report as plain maps, for JSON. */
    public Map<String, Object> toJson() {
        Map<String, Object> stepsJson = new LinkedHashMap<>();
        steps.forEach((name, s) -> stepsJson.put(name, ordered("attempts", s.attempts, "ok", s.ok,
                "unhealthy", s.unhealthy, "failed", s.failed, "providerUnreachable", s.providerUnreachable,
                "successRate", round(s.successRate()),
                "meanDurMs", round(s.meanDurMs()))));
        Map<String, Object> podsJson = new LinkedHashMap<>();
        pods.forEach((name, p) -> podsJson.put(name, ordered("sessions", p.sessions, "failures", p.failures,
                "ownFailures", p.ownFailures, "episodes", p.episodes, "recovered", p.recovered, "relapsed", p.relapsed,
                "exhausted", p.exhausted,
                "meanTimeToRecoveryMs", p.meanTimeToRecoveryMs() == null ? null : round(p.meanTimeToRecoveryMs()),
                "pauses", p.pauses,
                "profilesPaused", p.profilesPaused())));
        Map<String, Object> out = ordered("steps", stepsJson, "pods", podsJson);
        if (signatures != null) {
            out.put("signatures", signatures.toJson());
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
