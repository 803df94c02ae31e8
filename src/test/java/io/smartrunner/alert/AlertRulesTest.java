package io.smartrunner.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.FailureRate;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.config.AlertSettings.Webhook;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules that turn written events into alerts, on a manual clock. */
class AlertRulesTest {
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    /** 50 % threshold, 60 s window (1 s slices), at least 4 sessions, 10 min cooldown. */
    private static final FailureRate RATE = new FailureRate(50, 60_000, 4, 600_000);
    private final ManualTimeSource clock = new ManualTimeSource(T0);

    private AlertRules rules(Set<Trigger> on) {
        return new AlertRules(new AlertSettings(List.of(new Webhook("http://127.0.0.1:9/", Map.of())), on, RATE,
                10, 0, 1, 1000), clock);
    }

    private AlertRules rules() {
        return rules(EnumSet.allOf(Trigger.class));
    }

    private static EventRecord pause(String profileId) {
        return Events.profilePaused(T0, "podA", profileId, "s-9", 4, T0.plus(Duration.ofHours(24)),
                "errorStreak 4 > maxErrorStreak 3", "runner", 86_400_000, 1);
    }

    private static EventRecord ok() {
        return Events.sessionFinished(T0, "podA", "p1", "s-1", 10L);
    }

    private static EventRecord failed(String reason) {
        return Events.sessionFailed(T0, "podA", "p1", "s-1", Params.of(Events.params("reason", reason, "exitCode", 1)), 10L);
    }

    private static List<EventRecord> times(int n, EventRecord e) {
        List<EventRecord> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(e);
        }
        return events;
    }

    @Test
    void everyPauseEventIsOneAlertWithProfilePodStreakUntilReasonAndBy() {
        List<Alert> alerts = rules().apply(List.of(pause("p1"), ok(), pause("p2")));

        assertEquals(2, alerts.size());
        Alert first = alerts.get(0);
        assertEquals(Trigger.PAUSE, first.trigger());
        assertEquals(T0, first.ts());
        assertEquals("podA", first.pod());
        assertEquals("p1", first.profileId());
        assertEquals(4, first.details().get("errorStreak"));
        assertEquals("2026-11-29T10:00:00Z", first.details().get("pausedUntil"));
        assertEquals("errorStreak 4 > maxErrorStreak 3", first.details().get("reason"));
        assertEquals("runner", first.details().get("by"));
        assertEquals("s-9", first.details().get("sessionId"));
        assertEquals("Smart Runner: profile p1 (pod podA) paused until 2026-11-29T10:00:00Z by runner: "
                + "errorStreak 4 > maxErrorStreak 3", first.text());
        assertEquals("p2", alerts.get(1).profileId());
    }

    @Test
    void anExhaustedEpisodeIsOneAlertAndOtherRecoverOutcomesNone() {
        List<Alert> alerts = rules().apply(List.of(
                Events.recoveryAttempted(T0, "podA", "p1", "s-1", 1, "goToHomepage", RecoveryAttempted.Result.FAILED, "boom", null, 5),
                Events.recoveryAttempted(T0, "podA", "p1", "s-1", 2, "browserBack", RecoveryAttempted.Result.UNHEALTHY, "ok", "blank", 5),
                Events.recoveryExhausted(T0, "podA", "p1", "s-1", 2, 30_000),
                Events.recoveryAttempted(T0, "podA", "p2", "s-2", 1, "goToHomepage", RecoveryAttempted.Result.OK, "ok", "healthy", 5)));

        assertEquals(1, alerts.size());
        Alert exhausted = alerts.get(0);
        assertEquals(Trigger.EXHAUSTED, exhausted.trigger());
        assertEquals("p1", exhausted.profileId());
        assertEquals(2, exhausted.details().get("steps"));
        assertEquals(30_000L, exhausted.details().get("durMs"));
        assertTrue(exhausted.text().startsWith("Smart Runner: recovery of profile p1 (pod podA) exhausted: all 2 "
                + "step(s) used"), exhausted.text());
    }

    @Test
    void failureRateCrossingTheThresholdAlertsExactlyOnceWithinTheCooldown() {
        AlertRules rules = rules();

        assertEquals(List.of(), rules.apply(List.of(ok(), failed("exit"), failed("exit"))), "3 ended < minSessions 4");
        List<Alert> crossing = rules.apply(List.of(failed("timeout")));
        clock.advanceMillis(10_000);
        List<Alert> later = rules.apply(times(20, failed("exit")));

        assertEquals(1, crossing.size());
        Alert alert = crossing.get(0);
        assertEquals(Trigger.FAILURE_RATE, alert.trigger());
        assertNull(alert.pod());
        assertNull(alert.profileId());
        assertEquals(T0, alert.ts());
        assertEquals(Map.of("failed", 3L, "ended", 4L, "percent", 75.0, "thresholdPercent", 50, "windowMs", 60_000L,
                "minSessions", 4, "repeat", false), alert.details());
        assertEquals("Smart Runner: 3 of 4 sessions that ended in the last 1 min failed (75.0 %), above the 50 % "
                + "threshold", alert.text());
        assertEquals(List.of(), later, "silent for the cooldown");
    }

    @Test
    void aRateStillAboveTheThresholdAfterTheCooldownAlertsAgainAsARepeat() {
        AlertRules rules = rules();
        assertEquals(1, rules.apply(times(4, failed("exit"))).size());

        clock.advanceMillis(50_000);
        rules.apply(times(4, failed("exit")));
        clock.advanceMillis(550_000);
        List<Alert> reminder = rules.apply(times(4, failed("exit")));

        assertEquals(1, reminder.size());
        assertEquals(true, reminder.get(0).details().get("repeat"));
        assertTrue(reminder.get(0).text().endsWith("(still above since the last alert)"), reminder.get(0).text());
    }

    @Test
    void aRateThatDroppedAndRoseAgainAfterTheCooldownIsNotARepeat() {
        AlertRules rules = rules();
        assertEquals(1, rules.apply(times(4, failed("exit"))).size());

        rules.apply(times(10, ok()));
        clock.advanceMillis(600_000);
        List<Alert> again = rules.apply(times(4, failed("exit")));

        assertEquals(1, again.size());
        assertEquals(false, again.get(0).details().get("repeat"));
    }

    @Test
    void fewerThanMinSessionsNeverAlert() {
        assertEquals(List.of(), rules().apply(times(3, failed("exit"))));
    }

    @Test
    void exactlyTheThresholdIsNotAbove() {
        assertEquals(List.of(), rules().apply(List.of(ok(), ok(), failed("exit"), failed("exit"))));
    }

    @Test
    void shutdownErrorsAreNotCountedAsEndedOrFailed() {
        AlertRules rules = rules();

        assertEquals(List.of(), rules.apply(times(10, failed("shutdown"))));
        assertEquals(List.of(), rules.apply(List.of(ok(), ok(), failed("exit"))), "1 of 3: not enough, not above");
        assertEquals(1, rules.apply(List.of(failed("exit"), failed("exit"))).size(), "3 of 5 count");
    }

    private static EventRecord failed(String reason, String failureClass) {
        return Events.sessionFailed(T0, "podA", "p1", "s-1", Params.of(Events.params("reason", reason, "exitCode", 75,
                "class", failureClass)), 10L);
    }

    /**
     * Reviewer O: after a {@code kill -9} the lost sessions alone paged "9 of 10 sessions … failed"
     * at the restart. Infrastructure failures (lost, retry-later, config) are the runner's side or
     * the child's "later", with rules of their own; shared ones (an open breaker) count.
     */
    @Test
    void infrastructureFailuresAreOutsideTheFailureRateAndSharedOnesIn() {
        AlertRules rules = rules();
        assertEquals(List.of(), rules.apply(times(10, failed("lost"))), "an old event without a class: lost is out");
        assertEquals(List.of(), rules.apply(times(10, failed("lost", "infrastructure"))));
        assertEquals(List.of(), rules.apply(times(10, failed("exit", "infrastructure"))), "retry-later, config");
        assertEquals(List.of(), rules.apply(times(3, ok())));
        List<Alert> fired = rules.apply(times(4, failed("exit", "shared")));
        assertEquals(1, fired.size(), "4 of 7 that count: the outage the breaker blamed");
        assertEquals(4L, fired.get(0).details().get("failed"));
        assertEquals(7L, fired.get(0).details().get("ended"));
    }

    /** At start-up the window takes back the ends of the last windowMs before the restart, as old as they are. */
    @Test
    void aRestartRecallsTheWindowFromTheLog() {
        AlertRules rules = rules();
        Instant now = T0.plusSeconds(100);
        clock.advanceMillis(100_000);
        List<EventRecord> log = new ArrayList<>();
        log.add(Events.sessionFailed(T0, "podA", "p1", "s-old", Params.of(Events.params("reason", "exit",
                "class", "profile")), 10L)); // 100 s ago: out of the 60 s window
        for (int i = 0; i < 3; i++) {
            log.add(Events.sessionFinished(now.minusSeconds(50 - i), "podA", "p" + i, "s-ok" + i, 10L));
        }
        log.add(Events.sessionFailed(now.minusSeconds(30), "podA", "p5", "s-lost", Params.of(Events.params(
                "reason", "lost", "class", "infrastructure")), 10L));
        log.add(Events.sessionFailed(now.minusSeconds(20), "podA", "p6", "s-bad", Params.of(Events.params(
                "reason", "exit", "class", "profile")), 10L));
        rules.recall(log, now); // 3 successes and 1 failure of the last 60 s; the lost one and the old one are out

        List<Alert> fired = rules.apply(times(3, failed("exit", "profile")));
        assertEquals(1, fired.size(), "with the recalled ends: 4 of 7 failed, 3 of them live");
        assertEquals(4L, fired.get(0).details().get("failed"));
        assertEquals(7L, fired.get(0).details().get("ended"));
        AlertRules fresh = rules();
        assertEquals(List.of(), fresh.apply(times(3, failed("exit", "profile"))), "without: 3 ends, too few to judge");
    }

    private static EventRecord spawnFailed(String profileId) {
        return Events.sessionFailed(T0, "podA", profileId, "s-" + profileId, Params.of(Events.params("reason", "spawn",
                "exitCode", null, "message", "cannot start \"w\": Permission denied", "class", "infrastructure")), 0L);
    }

    /** Issue #9: a fleet that cannot start its sessions is one alert per episode, not a failure-rate storm. */
    @Test
    void spawnFailuresAreOneAlertPerEpisodeAndOutsideTheFailureRate() {
        AlertRules rules = rules();
        List<EventRecord> wave = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            wave.add(spawnFailed("p" + i));
        }
        List<Alert> first = rules.apply(wave);
        assertEquals(1, first.size(), first.toString());
        Alert a = first.get(0);
        assertEquals(Trigger.SPAWN, a.trigger());
        assertTrue(a.text().contains("cannot start \"w\": Permission denied") && a.text().contains("not paused"), a.text());
        assertEquals(List.of(), rules.apply(wave), "the same episode: no more alerts (and no failure rate)");
        // all but one profile ran again: still the same episode
        List<EventRecord> recovered = new ArrayList<>();
        for (int i = 1; i < 20; i++) {
            recovered.add(Events.sessionFinished(T0, "podA", "p" + i, "ok-" + i, 10L));
        }
        rules.apply(recovered);
        assertEquals(List.of(), rules.apply(List.of(spawnFailed("p0"))));
        rules.apply(List.of(Events.sessionFinished(T0, "podA", "p0", "ok-0", 10L)));
        assertEquals(1, rules.apply(List.of(spawnFailed("p3"))).size(), "a new episode");
        assertEquals(List.of(), rules(EnumSet.of(Trigger.PAUSE)).apply(wave), "off unless listed in alerts.on");
    }

    @Test
    void sessionsOlderThanTheWindowNoLongerCount() {
        AlertRules rules = rules();
        rules.apply(times(3, failed("exit")));

        clock.advanceMillis(61_000);

        assertEquals(List.of(), rules.apply(List.of(failed("exit"))), "the three earlier failures left the window");
        assertEquals(1, rules.apply(times(3, failed("exit"))).size());
    }

    @Test
    void rulesNotListedInOnSendNothing() {
        AlertRules pauseOnly = rules(EnumSet.of(Trigger.PAUSE));

        List<Alert> alerts = pauseOnly.apply(List.of(Events.recoveryExhausted(T0, "podA", "p1", "s-1", 5, 1),
                pause("p1")));
        alerts.addAll(pauseOnly.apply(times(10, failed("exit"))));

        assertEquals(List.of(Trigger.PAUSE), alerts.stream().map(Alert::trigger).toList());
        assertFalse(rules(EnumSet.of(Trigger.EXHAUSTED)).apply(List.of(pause("p1"))).iterator().hasNext());
    }
}
