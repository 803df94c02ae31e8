package io.smartrunner.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.FailureRate;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.config.AlertSettings.Webhook;
import io.smartrunner.event.Events;
import io.smartrunner.time.ManualTimeSource;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One alert per breaker opening and per pod held (issue #12.1, #12.2). */
class PodAlertRulesTest {
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private final ManualTimeSource clock = new ManualTimeSource(T0);

    private AlertRules rules(Set<Trigger> on) {
        return new AlertRules(new AlertSettings(List.of(new Webhook("http://127.0.0.1:9/", Map.of())), on,
                new FailureRate(50, 60_000, 4, 600_000), 10, 0, 1, 1000), clock);
    }

    @Test
    void aBreakerOpeningIsOneAlertAndItsClosingNone() {
        List<Alert> alerts = rules(EnumSet.allOf(Trigger.class)).apply(List.of(
                Events.breakerOpened(T0, "podA", 40, 22, 17, 0.55, 60_000, 3),
                Events.breakerClosed(T0.plusSeconds(90), "podA", 90_000, 3)));
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals(Trigger.FAILURE_RATE, a.trigger(), "a fleet failure rate, per pod");
        assertEquals("podA", a.pod());
        assertTrue(a.text().contains("22 of 40 sessions that ended in the last 1 min failed (55 %), across 17 profiles,"
                + " the last 3 in a row; a shared outage"), a.text());
    }

    /** Reviewer N: a pause page, then the breaker took the pause back 73 ms later and nobody was told. */
    @Test
    void theOpeningNamesThePausesItTookBackAndAPauseTakenBackInTheSameWriteIsNotAlerted() {
        AlertRules rules = rules(EnumSet.allOf(Trigger.class));
        List<Alert> before = rules.apply(List.of(Events.profilePaused(T0, "podA", "p1", "s1", 4, T0.plusSeconds(86_400),
                "errorStreak 4 > maxErrorStreak 3", "runner", 86_400_000L, 1)));
        assertEquals(List.of(Trigger.PAUSE), before.stream().map(Alert::trigger).toList());
        List<Alert> alerts = rules.apply(List.of(
                Events.profilePaused(T0, "podA", "p2", "s2", 4, T0.plusSeconds(86_400), "errorStreak 4 > maxErrorStreak 3",
                        "runner", 86_400_000L, 1),
                Events.breakerOpened(T0, "podA", 40, 22, 17, 0.55, 60_000, 3),
                Events.profileUnpaused(T0, "podA", "p1", 73, Events.BY_BREAKER),
                Events.profileUnpaused(T0, "podA", "p2", 1, Events.BY_BREAKER)));
        assertEquals(List.of(Trigger.FAILURE_RATE), alerts.stream().map(Alert::trigger).toList(), "p2's pause not paged");
        assertTrue(alerts.get(0).text().endsWith("; the automatic pause of p1, p2 was the outage's and is taken back"),
                alerts.get(0).text());
        assertEquals(List.of("p1", "p2"), alerts.get(0).details().get("pausesTakenBack"));
        // on the wire a JSON array (reviewer: it arrived as the string "[poda-p00]")
        String body = new String(AlertJson.body(alerts.get(0), new io.smartrunner.event.Redactor(Set.of())),
                java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(body.contains("\"pausesTakenBack\":[\"p1\",\"p2\"]"), body);
    }

    @Test
    void aHeldPodIsOneAlert() {
        List<Alert> alerts = rules(EnumSet.allOf(Trigger.class)).apply(List.of(
                Events.podPaused(T0, "podA", "a session exited with code 78, mapped to config", "p1", "s1", 78,
                        "runner"), Events.podUnpaused(T0, "podA", 5, "reload")));
        assertEquals(List.of(Trigger.PAUSE), alerts.stream().map(Alert::trigger).toList());
        assertTrue(alerts.get(0).text().contains("mapped to config"), alerts.get(0).text());
    }

    @Test
    void rulesNotListedSendNothing() {
        assertEquals(List.of(), rules(EnumSet.of(Trigger.PAUSE)).apply(List.of(
                Events.breakerOpened(T0, "podA", 40, 22, 17, 0.55, 60_000, 3))));
        assertEquals(List.of(), rules(EnumSet.of(Trigger.FAILURE_RATE)).apply(List.of(
                Events.podPaused(T0, "podA", "config", "p1", "s1", 78, "runner"))));
    }
}
