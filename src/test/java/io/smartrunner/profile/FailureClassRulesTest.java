package io.smartrunner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN §2b: only profile-class failures count; the others are logged and set lastError. */
class FailureClassRulesTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ProfileRules rules = new ProfileRules(new PausePolicy(1, Duration.ofHours(24), 1.0,
            Duration.ofDays(7)));

    private static SessionResult exit(int code) {
        return new SessionResult(FailureReason.EXIT, code, null, "exited with code " + code, "", 10L);
    }

    private static SessionResult of(FailureReason reason) {
        return new SessionResult(reason, null, null, "detail", "", 10L);
    }

    @Test
    void everyErrorEventCarriesItsClass() {
        assertEquals("profile", classOf(rules.sessionEnded(ProfileState.fresh("p1", "a"), "s", exit(1), T0)));
        assertEquals("infrastructure", classOf(rules.sessionEnded(ProfileState.fresh("p1", "a"), "s",
                of(FailureReason.SPAWN), T0)));
        assertEquals("infrastructure", classOf(rules.sessionEnded(ProfileState.fresh("p1", "a"), "s",
                of(FailureReason.LOST), T0)));
        assertEquals("infrastructure", classOf(rules.sessionEnded(ProfileState.fresh("p1", "a"), "s",
                of(FailureReason.SHUTDOWN), T0)));
        assertEquals("profile", classOf(rules.sessionEnded(ProfileState.fresh("p1", "a"), "s",
                of(FailureReason.TIMEOUT), T0)));
    }

    @Test
    void aLostSessionIsInfrastructureAndDoesNotCount() {
        ProfileState s = new ProfileState("p1", "a", 1, true, false, false, null, "s", null, T0, null, 0, null);
        Transition t = rules.sessionEnded(s, "s", of(FailureReason.LOST), T0);
        assertEquals(1, t.state().errorStreak(), "lost is the runner's death, not the profile's");
        assertFalse(t.state().paused(), "streak 1 = maxErrorStreak: a count would have paused it");
        assertFalse(t.state().needsRecovery());
        assertEquals(Transition.Episode.NONE, t.effects().episode());
        assertEquals("lost: detail", t.state().lastError());
    }

    @Test
    void aSharedFailureNeitherCountsNorPausesNorRecoversButSetsLastError() {
        ProfileState s = new ProfileState("p1", "a", 1, true, false, false, null, "s", null, T0, null, 0, null);
        Transition t = rules.sessionEnded(s, "s", exit(1), Blame.of(exit(1)).as(FailureClass.SHARED), T0);
        assertEquals(1, t.state().errorStreak());
        assertFalse(t.state().paused());
        assertFalse(t.state().needsRecovery());
        assertEquals(Transition.Episode.NONE, t.effects().episode());
        assertEquals("exit (exit 1): exited with code 1", t.state().lastError());
        assertEquals(List.of("error"), t.events().stream().map(EventRecord::event).toList());
        assertEquals("shared", t.events().get(0).params().get("class"));
    }

    @Test
    void aMappedMeaningIsInTheParams() {
        Blame retry = new Blame(FailureClass.INFRASTRUCTURE, "retry-later", null);
        Transition t = rules.sessionEnded(ProfileState.fresh("p1", "a"), "s", exit(75), retry, T0);
        assertEquals(0, t.state().errorStreak());
        assertEquals("retry-later", t.events().get(0).params().get("meaning"));
        assertEquals("infrastructure", t.events().get(0).params().get("class"));
    }

    @Test
    void aWithheldPauseLeavesTheProfileRecoveringAndSaysWhy() {
        ProfileState s = new ProfileState("p1", "a", 1, true, false, false, null, "s", null, T0, null, 0, null);
        Blame capped = Blame.of(exit(1)).withPauseWithheld("maxPausedShare: 1 of 10 profiles of pod a paused");
        Transition t = rules.sessionEnded(s, "s", exit(1), capped, T0);
        assertEquals(2, t.state().errorStreak());
        assertFalse(t.state().paused());
        assertTrue(t.state().needsRecovery());
        assertEquals(Transition.Episode.BEGIN, t.effects().episode());
        assertEquals("maxPausedShare: 1 of 10 profiles of pod a paused",
                t.events().get(0).params().get("pauseWithheld"));
    }

    @Test
    void aPauseWithheldIsOnlySaidWhenThePauseWouldHaveHappened() {
        Blame capped = Blame.of(exit(1)).withPauseWithheld("cap");
        Transition t = rules.sessionEnded(ProfileState.fresh("p1", "a"), "s", exit(1), capped, T0);
        assertNull(t.events().get(0).params().get("pauseWithheld"), "streak 1 does not exceed 1");
    }

    @Test
    void forgivingTakesBackIncrementsNeverBelowZero() {
        ProfileState s = new ProfileState("p1", "a", 3, false, true, false, null, "s", "x", T0, T0, 0, null);
        Transition t = rules.forgive(s, 2, T0, "breaker");
        assertEquals(1, t.state().errorStreak());
        EventRecord e = t.events().get(0);
        assertEquals("reset", e.event());
        assertEquals(3, e.params().get("errorStreakWas"));
        assertEquals(1, e.params().get("errorStreak"));
        assertEquals("breaker", e.params().get("by"));
        assertEquals(0, rules.forgive(s, 7, T0, "breaker").state().errorStreak());
        assertFalse(rules.forgive(t.state().withPod("a"), 0, T0, "breaker").changed(t.state()));
    }

    @Test
    void aClassIsReadBackFromTheLogOrDerivedFromTheReason() {
        assertEquals(FailureClass.SHARED, FailureClass.fromWire("shared", FailureReason.EXIT));
        assertEquals(FailureClass.PROFILE, FailureClass.fromWire(null, FailureReason.EXIT));
        assertEquals(FailureClass.INFRASTRUCTURE, FailureClass.fromWire(null, FailureReason.LOST));
        assertEquals(FailureClass.PROFILE, FailureClass.fromWire("bogus", FailureReason.HANG));
    }

    private static String classOf(Transition t) {
        return (String) t.events().get(0).params().get("class");
    }
}
