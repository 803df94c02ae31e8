package io.smartrunner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Repeated automatic pauses back off, are jittered, and the repeat count starts over after a success. */
class PauseBackoffJitterTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private static SessionResult exit1() {
        return new SessionResult(FailureReason.EXIT, 1, null, "exited with code 1", "boom", 10L);
    }

    @Test
    void nominalLengthDoublesPerRepeatedPauseUpToTheCap() {
        PausePolicy p = new PausePolicy(3, HOUR, 2.0, Duration.ofHours(5), 0.1);
        assertEquals(List.of(HOUR, HOUR.multipliedBy(2), HOUR.multipliedBy(4), HOUR.multipliedBy(5), HOUR.multipliedBy(5)),
                List.of(p.durationAfter(0), p.durationAfter(1), p.durationAfter(2), p.durationAfter(3), p.durationAfter(40)));
    }

    @Test
    void jitterLengthensTheNominalLengthByUpToTheShareNeverShortensItAndMayPassTheCapByThatShare() {
        PausePolicy p = new PausePolicy(3, HOUR, 2.0, Duration.ofHours(5), 0.1);
        assertEquals(HOUR, p.automaticDuration(0, 0.0), "the shortest draw is the nominal length: never shorter");
        assertEquals(Duration.ofMinutes(63), p.automaticDuration(0, 0.5));
        assertEquals(Duration.ofMinutes(66).toMillis(), p.automaticDuration(0, 1.0).toMillis(), 1);
        // capped at 5 h nominal, jittered on top: at most 5.5 h
        assertEquals(Duration.ofMinutes(330).toMillis(), p.automaticDuration(9, 1.0).toMillis(), 1);
        assertEquals(Duration.ofHours(5), p.automaticDuration(9, 0.0));
    }

    @Test
    void withoutJitterTheDrawChangesNothing() {
        PausePolicy p = new PausePolicy(3, HOUR, 1.0, Duration.ofDays(7), 0);
        assertEquals(HOUR, p.automaticDuration(0, 0.0));
        assertEquals(HOUR, p.automaticDuration(0, 0.999));
    }

    @Test
    void automaticPauseUsesTheInjectedDrawAndTheEventShowsTheRealLength() {
        ProfileRules rules = new ProfileRules(new PausePolicy(0, HOUR, 1.0, Duration.ofDays(7), 0.1), () -> 0.9);
        Transition t = rules.sessionEnded(ProfileState.fresh("p1", "podA"), "s1", exit1(), T0);
        EventRecord pause = t.events().get(1);
        assertEquals("pause", pause.event());
        Duration real = Duration.ofSeconds(3600 + 324); // 1 h × (1 + 0.1 × 0.9)
        assertEquals(real.toMillis(), ((Number) pause.params().get("durationMs")).longValue());
        assertEquals(T0.plus(real).toString(), pause.params().get("pausedUntil"));
        assertEquals(T0.plus(real), t.state().pausedUntil());
    }

    @Test
    void manualPauseIsNeverJittered() {
        ProfileRules rules = new ProfileRules(new PausePolicy(0, HOUR, 1.0, Duration.ofDays(7), 0.5), () -> 0.0);
        Transition t = rules.pause(ProfileState.fresh("p1", "podA"), null, T0, Duration.ofHours(2), "maintenance", "api");
        assertEquals(T0.plus(Duration.ofHours(2)), t.state().pausedUntil());
        assertEquals(7_200_000L, ((Number) t.events().get(0).params().get("durationMs")).longValue());
    }

    @Test
    void repeatCountStartsOverAfterASuccessfulSession() {
        Deque<Double> draws = new ArrayDeque<>(List.of(0.0, 0.0, 0.0, 0.0)); // the nominal lengths
        ProfileRules rules = new ProfileRules(new PausePolicy(1, HOUR, 2.0, Duration.ofDays(7), 0.1), draws::pop);
        ProfileState s = ProfileState.fresh("p1", "podA");
        Instant now = T0;
        s = failUntilPaused(rules, s, now);
        assertEquals(HOUR, Duration.between(s.pausedAt(), s.pausedUntil()));
        now = s.pausedUntil();
        s = failUntilPaused(rules, rules.expirePause(s, now).state(), now);
        assertEquals(HOUR.multipliedBy(2), Duration.between(s.pausedAt(), s.pausedUntil()), "a repeated pause backs off");
        assertEquals(2, s.pauseCount());
        now = s.pausedUntil();
        s = rules.expirePause(s, now).state();
        s = rules.sessionEnded(rules.sessionStarted(s, "ok", now), "ok", SessionResult.success(5L), now).state();
        assertEquals(0, s.pauseCount(), "a success ends the run of repeated pauses");
        s = failUntilPaused(rules, s, now);
        assertEquals(HOUR, Duration.between(s.pausedAt(), s.pausedUntil()), "the next pause is judged afresh");
    }

    /** The reviewer's case: after 2 automatic pauses, a pause by hand made the next one 240 s, not 120 s. */
    @Test
    void aPauseByHandDoesNotLengthenTheNextAutomaticOne() {
        Deque<Double> draws = new ArrayDeque<>(List.of(0.0, 0.0, 0.0, 0.0)); // the nominal lengths
        ProfileRules rules = new ProfileRules(new PausePolicy(1, HOUR, 2.0, Duration.ofDays(7), 0.1), draws::pop);
        ProfileState s = failUntilPaused(rules, ProfileState.fresh("p1", "podA"), T0);
        Instant now = s.pausedUntil();
        s = failUntilPaused(rules, rules.expirePause(s, now).state(), now);
        now = s.pausedUntil();
        s = rules.expirePause(s, now).state();
        assertEquals(2, s.pauseCount());

        Transition byHand = rules.pause(s, null, now, Duration.ofMinutes(5), "maintenance", "cli");
        assertEquals(2, byHand.state().pauseCount(), "a pause by hand is not a repeat of the automatic ones");
        assertEquals(2, ((Number) byHand.events().get(0).params().get("pauseCount")).intValue());
        s = rules.unpause(byHand.state(), now.plusSeconds(60), "cli").state();
        s = failUntilPaused(rules, s, now.plusSeconds(60));
        assertEquals(HOUR.multipliedBy(4), Duration.between(s.pausedAt(), s.pausedUntil()),
                "the third automatic pause: 1 h × 2², as if the pause by hand had not been");
        assertEquals(3, s.pauseCount());
    }

    private static ProfileState failUntilPaused(ProfileRules rules, ProfileState s, Instant now) {
        for (int i = 0; i < 10 && !s.paused(); i++) {
            s = rules.sessionEnded(rules.sessionStarted(s, "s" + i, now), "s" + i, exit1(), now).state();
        }
        assertTrue(s.paused());
        return s;
    }
}
