package io.smartrunner.alert;

import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.SpawnBackoff;
import io.smartrunner.time.TimeSource;
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
        List<Alert> alerts = new ArrayList<>();
        for (EventRecord e : written) {
            alertFor(e).ifPresent(alerts::add);
        }
        return alerts;
    }

    private Optional<Alert> alertFor(EventRecord e) {
        switch (e.event()) {
            case "pause":
                return on(Trigger.PAUSE) ? Optional.of(paused(e)) : Optional.empty();
            case "recover":
                return on(Trigger.EXHAUSTED) && "exhausted".equals(e.outcome()) ? Optional.of(exhausted(e))
                        : Optional.empty();
            case "breaker-open":
                // a fleet-wide failure rate, per pod: under the failureRate rule
                return on(Trigger.FAILURE_RATE) ? Optional.of(breakerOpened(e)) : Optional.empty();
            case "pod-pause":
                return on(Trigger.PAUSE) ? Optional.of(podPaused(e)) : Optional.empty();
            case "finish":
                spawnEpisode.remove(e.profileId());
                return sessionEnded(false);
            case "error":
                Object reason = e.params().get("reason");
                if (FailureReason.SPAWN.wireName().equals(reason)) {
                    return spawnFailed(e);
                }
                if (FailureReason.SHUTDOWN.wireName().equals(reason)) {
                    return Optional.empty();
                }
                spawnEpisode.remove(e.profileId());
                return sessionEnded(true);
            default:
                return Optional.empty();
        }
    }

    /**
     * A session could not be started: the runner's environment, not the profile (it is not in the
     * failure rate either). The first such failure while no profile is failing this way opens an
     * episode and is one alert; the episode lasts until every profile in it has had a session that
     * really ran (finish, or an error of another reason).
     */
    private Optional<Alert> spawnFailed(EventRecord e) {
        boolean opens = spawnEpisode.isEmpty();
        spawnEpisode.add(e.profileId());
        if (!opens || !on(Trigger.SPAWN)) {
            return Optional.empty();
        }
        String text = "Smart Runner: sessions cannot be started (profile " + e.profileId() + ", pod " + e.pod() + "): "
                + e.params().get("message") + "; such profiles retry with a back-off up to "
                + human(SpawnBackoff.MAX.toMillis()) + " and are not paused";
        return Optional.of(new Alert(Trigger.SPAWN, e.ts(), e.pod(), e.profileId(), text, Events.params(
                "message", e.params().get("message"), "sessionId", e.sessionId())));
    }

    private boolean on(Trigger trigger) {
        return settings.on().contains(trigger);
    }

    private static Alert paused(EventRecord e) {
        Map<String, Object> p = e.params();
        String text = "Smart Runner: profile " + e.profileId() + " (pod " + e.pod() + ") paused until "
                + p.get("pausedUntil") + " by " + p.get("by") + ": " + p.get("reason");
        Map<String, Object> details = new LinkedHashMap<>(p);
        details.put("sessionId", e.sessionId());
        return new Alert(Trigger.PAUSE, e.ts(), e.pod(), e.profileId(), text, details);
    }

    /** A pod's breaker opened: its failures are blamed on something shared; it probes until one succeeds. */
    private static Alert breakerOpened(EventRecord e) {
        Map<String, Object> p = e.params();
        long percent = Math.round(((Number) p.getOrDefault("ratio", 0)).doubleValue() * 100);
        String text = "Smart Runner: pod " + e.pod() + "'s breaker opened: " + p.get("failed") + " of " + p.get("ended")
                + " sessions that ended in the last " + human(((Number) p.getOrDefault("windowMs", 0)).longValue())
                + " failed (" + percent + " %), across " + p.get("profiles") + " profiles; a shared outage is"
                + " suspected, its failures pause nobody and the pod runs probe sessions until one succeeds";
        return new Alert(Trigger.FAILURE_RATE, e.ts(), e.pod(), null, text, new LinkedHashMap<>(p));
    }

    private static Alert podPaused(EventRecord e) {
        Map<String, Object> p = e.params();
        String text = "Smart Runner: pod " + e.pod() + " is held, no new session starts in it until a reload, a"
                + " restart or an unpause: " + p.get("reason") + " (profile " + p.get("profileId") + ")";
        return new Alert(Trigger.PAUSE, e.ts(), e.pod(), null, text, new LinkedHashMap<>(p));
    }

    private static Alert exhausted(EventRecord e) {
        Map<String, Object> p = e.params();
        String text = "Smart Runner: recovery of profile " + e.profileId() + " (pod " + e.pod() + ") exhausted: "
                + p.get("message") + "; it is back in rotation with its error streak";
        return new Alert(Trigger.EXHAUSTED, e.ts(), e.pod(), e.profileId(), text, Events.params(
                "steps", p.get("step"), "message", p.get("message"), "sessionId", e.sessionId(), "durMs", e.durMs()));
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
