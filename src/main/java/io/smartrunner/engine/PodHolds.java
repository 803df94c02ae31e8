package io.smartrunner.engine;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.PodPaused;
import io.smartrunner.event.EventRecord.PodUnpaused;
import io.smartrunner.event.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods held because a session exited with a code mapped to {@code config} (session.exitCodes): the
 * configuration is wrong for the whole pod, so no new session starts in it until a reload, a
 * restart (holds are not persisted) or an unpause of the pod by hand. One {@code pod-pause} event
 * (and so one alert) per hold. Loop thread only.
 */
final class PodHolds {
    /** Who ended a hold the previous runner had. */
    static final String BY_RESTART = "restart";
    /** Who ended a hold this runner had when it stopped cleanly. */
    static final String BY_STOP = "stop";
    private final PendingWrites pending;
    private final Map<String, Instant> heldSince = new HashMap<>();

    PodHolds(PendingWrites pending) {
        this.pending = pending;
    }

    /** Holds the pod, unless it already is. */
    void hold(String pod, String reason, String profileId, String sessionId, Integer exitCode, Instant now) {
        if (heldSince.putIfAbsent(pod, now) == null) {
            pending.add(List.of(Events.podPaused(now, pod, reason, profileId, sessionId, exitCode,
                    io.smartrunner.profile.ProfileRules.BY_RUNNER)), null, null);
        }
    }

    /** Lets the pod start sessions again; false when it was not held. */
    boolean release(String pod, Instant now, String by) {
        Instant since = heldSince.remove(pod);
        if (since == null) {
            return false;
        }
        long pausedFor = Math.max(0, Duration.between(since, now).toMillis());
        pending.add(List.of(Events.podUnpaused(now, pod, pausedFor, by)), null, null);
        return true;
    }

    /**
     * At start-up: a hold does not outlive its runner (a restart is one of the ways to end it), so
     * a pod the previous runner held, by the log's recent events, gets its {@code pod-unpause},
     * {@code by: "restart"}: a consumer pairing holds saw one that never ended (reviewer O). A
     * clean stop ends its holds itself ({@code by: "stop"}), so this finds only a killed runner's;
     * only the start-up lookback is read (at most 15 min, docs/event-log.md): a killed runner's
     * older hold ends without one (its next {@code runner-start} says {@code previousStop: unclean}).
     *
     * @param oldestFirst the recalled events of this runner's pods
     */
    void endedByRestart(List<EventRecord> oldestFirst, Instant now) {
        Map<String, Instant> open = new java.util.LinkedHashMap<>();
        for (EventRecord e : oldestFirst) {
            if (e instanceof PodPaused) {
                open.putIfAbsent(e.pod(), e.ts());
            } else if (e instanceof PodUnpaused) {
                open.remove(e.pod());
            }
        }
        open.forEach((pod, since) -> pending.add(List.of(Events.podUnpaused(now, pod,
                Math.max(0, Duration.between(since, now).toMillis()), BY_RESTART)), null, null));
    }

    /** A reload: the configuration may have been fixed, every pod starts again. */
    void releaseAll(Instant now, String by) {
        List.copyOf(heldSince.keySet()).forEach(pod -> release(pod, now, by));
    }

    boolean held(String pod) {
        return heldSince.containsKey(pod);
    }

    Instant since(String pod) {
        return heldSince.get(pod);
    }
}
