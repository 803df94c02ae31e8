package io.smartrunner.alert;

import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.BreakerOpened;
import io.smartrunner.event.EventRecord.PodPaused;
import io.smartrunner.event.EventRecord.ProfilePaused;
import io.smartrunner.event.EventRecord.ProfileUnpaused;
import io.smartrunner.event.EventRecord.RecoveryExhausted;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.Events;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.SpawnBackoff;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns events that reached the log into alerts: every {@code pause} event is one alert (and, under
 * the same rule, every {@code pod-pause}), every breaker opening is one alert under the failureRate
 * rule, every
 * recovery episode that ended {@code exhausted} is one alert, and the fleet rule
 * ({@link FailureRateWindow}) counts ended sessions: {@code finish} is a success, {@code error} a
 * failure, except reasons {@code shutdown} and {@code spawn} which are not the profile's doing and
 * are not counted at all; spawn failures have their own rule, one alert per episode. Rules not listed in {@code alerts.on} send nothing. Pure but for the injected clock; not
 * thread-safe (the event fan-out calls it from the supervisor loop only).
 */
final class AlertRules {
    private final AlertSettings settings;
    private final TimeSource time;
    private final FailureRateWindow failureRate;
    /** Profiles whose last session could not be started; an alert when it stops being empty. */
    private final Set<String> spawnEpisode = new HashSet<>();

    AlertRules(AlertSettings settings, TimeSource time) {
        this.settings = settings;
        this.time = time;
        this.failureRate = new FailureRateWindow(settings.failureRate());
    }

    /** The alerts {@code written} raises, in event order. */
    List<Alert> apply(List<EventRecord> written) {
        // an opening breaker takes back the automatic pauses of its window, in the same write as its event
        Map<String, List<String>> takenBack = new LinkedHashMap<>();
        for (EventRecord e : written) {
            if (e instanceof ProfileUnpaused u && Events.BY_BREAKER.equals(u.by())) {
                takenBack.computeIfAbsent(e.pod(), k -> new ArrayList<>()).add(e.profileId());
            }
        }
        List<Alert> alerts = new ArrayList<>();
        for (EventRecord e : written) {
            if (e instanceof ProfilePaused && takenBack.getOrDefault(e.pod(), List.of()).contains(e.profileId())) {
                continue; // paused and taken back at once: nobody is paged for it
            }
            if (e instanceof BreakerOpened o) {
                if (on(Trigger.FAILURE_RATE)) {
                    alerts.add(breakerOpened(o, takenBack.getOrDefault(o.pod(), List.of())));
                }
                continue;
            }
            alertFor(e).ifPresent(alerts::add);
        }
        return alerts;
    }

    private Optional<Alert> alertFor(EventRecord e) {
        if (e instanceof ProfilePaused p) {
            return on(Trigger.PAUSE) ? Optional.of(paused(p)) : Optional.empty();
        }
        if (e instanceof PodPaused p) {
            return on(Trigger.PAUSE) ? Optional.of(podPaused(p)) : Optional.empty();
        }
        if (e instanceof RecoveryExhausted x) {
            return on(Trigger.EXHAUSTED) ? Optional.of(exhausted(x)) : Optional.empty();
        }
        if (e instanceof SessionFinished) {
            spawnEpisode.remove(e.profileId());
            return sessionEnded(false);
        }
        if (e instanceof SessionFailed f) {
            if (FailureReason.SPAWN.wireName().equals(f.reason())) {
                return spawnFailed(f);
            }
            if (FailureReason.SHUTDOWN.wireName().equals(f.reason())) {
                return Optional.empty();
            }
            spawnEpisode.remove(e.profileId());
            return countsAsFailed(f) ? sessionEnded(true) : Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Whether a failure counts in the fleet's failure rate: a {@code profile} or {@code shared}
     * one. An {@code infrastructure} failure is the runner's side or the child's own "later"
     * ({@code lost} after a crash, {@code shutdown}, {@code spawn}, an exit code mapped to {@code
     * retry-later} or {@code config}), with rules of its own (spawn, the pod hold): after a
     * {@code kill -9} the lost sessions alone paged "9 of 10 sessions … failed" at each restart
     * (reviewer O). An event from before failure classes (no class) counts unless lost.
     */
    private static boolean countsAsFailed(SessionFailed f) {
        String failureClass = f.param(EventParams.FAILURE_CLASS);
        return failureClass == null ? !FailureReason.LOST.wireName().equals(f.reason())
                : !FailureClass.INFRASTRUCTURE.wireName().equals(failureClass);
    }

    /**
     * At start-up: the sessions that ended in the failure-rate window before the restart count
     * again (as old as they are), so the first ten ends after a start are not judged alone. When
     * the last alert went out is not known: a rate still above the threshold alerts once more.
     */
    void recall(List<EventRecord> oldestFirst, Instant now) {
        if (!on(Trigger.FAILURE_RATE)) {
            return;
        }
        long nowNanos = time.nanoTime();
        long windowNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(settings.failureRate().windowMs());
        for (EventRecord e : oldestFirst) {
            long age = Math.max(0, Duration.between(e.ts(), now).toNanos());
            if (age > windowNanos) {
                continue;
            }
            if (e instanceof SessionFinished) {
                failureRate.remember(false, nowNanos - age);
            } else if (e instanceof SessionFailed f && !FailureReason.SPAWN.wireName().equals(f.reason())
                    && !FailureReason.SHUTDOWN.wireName().equals(f.reason()) && countsAsFailed(f)) {
                failureRate.remember(true, nowNanos - age);
            }
        }
    }

    /**
     * A session could not be started: the runner's environment, not the profile (it is not in the
     * failure rate either). The first such failure while no profile is failing this way opens an
     * episode and is one alert; the episode lasts until every profile in it has had a session that
     * really ran (finish, or an error of another reason).
     */
    private Optional<Alert> spawnFailed(SessionFailed e) {
        boolean opens = spawnEpisode.isEmpty();
        spawnEpisode.add(e.profileId());
        if (!opens || !on(Trigger.SPAWN)) {
            return Optional.empty();
        }
        String text = "Smart Runner: sessions cannot be started (profile " + e.profileId() + ", pod " + e.pod() + "): "
                + e.param(EventParams.MESSAGE) + "; such profiles retry with a back-off up to "
                + human(SpawnBackoff.MAX.toMillis()) + " and are not paused";
        return Optional.of(new Alert(Trigger.SPAWN, e.ts(), e.pod(), e.profileId(), text, Events.params(
                "message", e.param(EventParams.MESSAGE), "sessionId", e.sessionId())));
    }

    private boolean on(Trigger trigger) {
        return settings.on().contains(trigger);
    }

    private static Alert paused(ProfilePaused e) {
        String text = "Smart Runner: profile " + e.profileId() + " (pod " + e.pod() + ") paused until "
                + e.pausedUntil() + " by " + e.by() + ": " + e.reason();
        Map<String, Object> details = new LinkedHashMap<>(e.params()); // the event's params as they are on the wire
        details.put("sessionId", e.sessionId());
        return new Alert(Trigger.PAUSE, e.ts(), e.pod(), e.profileId(), text, details);
    }

    /**
     * A pod's breaker opened (a fleet-wide failure rate, per pod: under the failureRate rule): its
     * failures are blamed on something shared; it probes until one succeeds. A pause alerted
     * before that the opening took back is named, so whoever was paged for it knows.
     */
    private static Alert breakerOpened(BreakerOpened e, List<String> pausesTakenBack) {
        long percent = Math.round((e.ratio() == null ? 0 : e.ratio().doubleValue()) * 100);
        String text = "Smart Runner: pod " + e.pod() + "'s breaker opened: " + e.failed() + " of " + e.ended()
                + " sessions that ended in the last " + human(e.windowMs() == null ? 0 : e.windowMs())
                + " failed (" + percent + " %), across " + e.profiles() + " profiles"
                + (e.inARow() == null ? "" : ", the last " + e.inARow() + " in a row") + "; a shared outage is"
                + " suspected, its failures pause nobody and the pod runs probe sessions until one succeeds"
                + (pausesTakenBack.isEmpty() ? "" : "; the automatic pause of " + String.join(", ", pausesTakenBack)
                + " was the outage's and is taken back");
        Map<String, Object> details = new LinkedHashMap<>(e.params());
        if (!pausesTakenBack.isEmpty()) {
            details.put("pausesTakenBack", List.copyOf(pausesTakenBack));
        }
        return new Alert(Trigger.FAILURE_RATE, e.ts(), e.pod(), null, text, details);
    }

    private static Alert podPaused(PodPaused e) {
        String text = "Smart Runner: pod " + e.pod() + " is held, no new session starts in it until a reload, a"
                + " restart or an unpause: " + e.reason() + " (profile " + e.causeProfileId() + ")";
        return new Alert(Trigger.PAUSE, e.ts(), e.pod(), null, text, new LinkedHashMap<>(e.params()));
    }

    private static Alert exhausted(RecoveryExhausted e) {
        String text = "Smart Runner: recovery of profile " + e.profileId() + " (pod " + e.pod() + ") exhausted: "
                + e.message() + "; it is back in rotation with its error streak";
        return new Alert(Trigger.EXHAUSTED, e.ts(), e.pod(), e.profileId(), text, Events.params(
                "steps", e.stepsUsed(), "message", e.message(), "sessionId", e.sessionId(), "durMs", e.durMs()));
    }

    private Optional<Alert> sessionEnded(boolean failed) {
        if (!on(Trigger.FAILURE_RATE)) {
            return Optional.empty();
        }
        return failureRate.record(failed, time.nanoTime()).map(this::fleetAlert);
    }

    private Alert fleetAlert(FailureRateWindow.Firing f) {
        AlertSettings.FailureRate s = settings.failureRate();
        String text = "Smart Runner: " + f.failed() + " of " + f.ended() + " sessions that ended in the last "
                + human(s.windowMs()) + " failed (" + f.percent() + " %), above the " + s.thresholdPercent()
                + " % threshold" + (f.repeat() ? " (still above since the last alert)" : "");
        return new Alert(Trigger.FAILURE_RATE, time.now(), null, null, text, Events.params(
                "failed", f.failed(), "ended", f.ended(), "percent", f.percent(),
                "thresholdPercent", s.thresholdPercent(), "windowMs", s.windowMs(), "minSessions", s.minSessions(),
                "repeat", f.repeat()));
    }

    /** "5 min", "90 s", "1500 ms". */
    static String human(long ms) {
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + " h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
