package io.smartrunner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileRulesTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final PausePolicy policy = new PausePolicy(3, Duration.ofHours(24), 1.0, Duration.ofDays(7));
    private final ProfileRules rules = new ProfileRules(policy);

    private static SessionResult exit1() {
        return new SessionResult(FailureReason.EXIT, 1, null, "exited with code 1", "boom", 10L);
    }

    private ProfileState failTimes(ProfileState s, int n) {
        for (int i = 0; i < n; i++) {
            s = rules.sessionEnded(rules.sessionStarted(s, "s" + i, T0), "s" + i, exit1(), T0).state();
        }
        return s;
    }

    @Test
    void failureIncrementsStreakAndFlagsRecovery() {
        Transition t = rules.sessionEnded(ProfileState.fresh("p1", "podA"), "s1", exit1(), T0);
        assertEquals(1, t.state().errorStreak());
        assertTrue(t.state().needsRecovery());
        assertFalse(t.state().running());
        assertEquals("exit (exit 1): exited with code 1", t.state().lastError());
        EventRecord e = t.events().get(0);
        assertEquals("error", e.event());
        assertEquals("session", e.type());
        assertEquals("error", e.outcome());
        assertEquals("exit", e.params().get("reason"));
        assertEquals(1, e.params().get("exitCode"));
        assertEquals("boom", e.params().get("stderrTail"));
    }

    @Test
    void successResetsStreakAndClearsNeedsRecovery() {
        ProfileState failing = failTimes(ProfileState.fresh("p1", "podA"), 2);
        Transition t = rules.sessionEnded(failing, "s9", SessionResult.success(5), T0);
        assertEquals(0, t.state().errorStreak());
        assertFalse(t.state().needsRecovery());
        assertNull(t.state().lastError());
        assertEquals(List.of("finish"), t.events().stream().map(EventRecord::event).toList());
        assertEquals("ok", t.events().get(0).outcome());
        assertEquals(0, t.events().get(0).params().get("exitCode"));
    }

    @Test
    void streaksArePerProfile() {
        ProfileState a = failTimes(ProfileState.fresh("a", "podA"), 3);
        ProfileState b = failTimes(ProfileState.fresh("b", "podA"), 1);
        assertEquals(3, a.errorStreak());
        assertEquals(1, b.errorStreak());
    }

    @Test
    void doesNotPauseAtMaxErrorStreak() {
        ProfileState s = failTimes(ProfileState.fresh("p1", "podA"), 3);
        assertFalse(s.paused());
    }

    @Test
    void pausesProfileWhenStreakExceedsMax() {
        ProfileState s = failTimes(ProfileState.fresh("p1", "podA"), 3);
        Transition t = rules.sessionEnded(s, "s4", exit1(), T0);
        assertTrue(t.state().paused());
        assertFalse(t.state().needsRecovery());
        assertEquals(T0.plus(Duration.ofHours(24)), t.state().pausedUntil());
        assertEquals(List.of("error", "pause"), t.events().stream().map(EventRecord::event).toList());
        EventRecord pause = t.events().get(1);
        assertEquals("profile", pause.type());
        assertEquals("paused", pause.outcome());
        assertEquals(4, pause.params().get("errorStreak"));
        assertEquals("2025-01-09T10:30:00Z", pause.params().get("pausedUntil"));
        assertEquals("runner", pause.params().get("by"));
        assertEquals(1, t.state().pauseCount());
    }

    @Test
    void pauseLastsExactly24HoursAcrossDstChange() {
        // 2025-03-30 01:30 UTC is the night Europe/Berlin springs forward.
        Instant beforeDst = ZonedDateTime.of(2025, 3, 29, 12, 0, 0, 0, ZoneId.of("Europe/Berlin")).toInstant();
        ProfileState s = failTimes(ProfileState.fresh("p1", "podA"), 3);
        Transition t = rules.sessionEnded(s, "s4", exit1(), beforeDst);
        assertEquals(Duration.ofHours(24), Duration.between(beforeDst, t.state().pausedUntil()));
    }

    @Test
    void unpausesAutomaticallyWhenTimeHasComeAndResetsStreak() {
        ProfileState paused = rules.sessionEnded(failTimes(ProfileState.fresh("p1", "podA"), 3), "s4", exit1(), T0)
                .state();
        assertFalse(rules.expirePause(paused, T0.plus(Duration.ofHours(24)).minusMillis(1)).changed(paused));
        Transition t = rules.expirePause(paused, T0.plus(Duration.ofHours(24)));
        assertFalse(t.state().paused());
        assertNull(t.state().pausedUntil());
        assertEquals(0, t.state().errorStreak());
        EventRecord e = t.events().get(0);
        assertEquals("unpause", e.event());
        assertEquals("ok", e.outcome());
        assertEquals(86_400_000L, e.params().get("pausedFor"));
        assertEquals("runner", e.params().get("by"));
    }

    @Test
    void pausedProfileIsNotEligible() {
        ProfileState paused = rules.sessionEnded(failTimes(ProfileState.fresh("p1", "podA"), 3), "s4", exit1(), T0)
                .state();
        assertFalse(ProfileRules.eligible(paused, true));
        assertTrue(ProfileRules.eligible(ProfileState.fresh("p2", "podA"), true));
        assertFalse(ProfileRules.eligible(ProfileState.fresh("p2", "podA"), false));
        assertFalse(ProfileRules.eligible(rules.sessionStarted(ProfileState.fresh("p3", "podA"), "s", T0), true));
    }

    @Test
    void shutdownDoesNotCountTowardsStreak() {
        SessionResult stopped = new SessionResult(FailureReason.SHUTDOWN, null, "SIGTERM", "shutting down", "", 3L);
        Transition t = rules.sessionEnded(ProfileState.fresh("p1", "podA"), "s1", stopped, T0);
        assertEquals(0, t.state().errorStreak());
        assertNull(t.state().lastError(), "not the profile's error");
        assertFalse(t.state().needsRecovery());
        assertEquals("shutdown", t.events().get(0).params().get("reason"));
    }

    /** Issue #9: a missing program paused 20 profiles for 24 h; a spawn failure is the runner's environment. */
    @Test
    void spawnFailureNeitherCountsNorPausesAndIsClassedInfrastructure() {
        SessionResult spawn = new SessionResult(FailureReason.SPAWN, null, null,
                "cannot start \"w\": No such file or directory", "", 0L);
        ProfileState s = failTimes(ProfileState.fresh("p1", "podA"), 2);
        for (int i = 0; i < 10; i++) {
            Transition t = rules.sessionEnded(rules.sessionStarted(s, "x" + i, T0), "x" + i, spawn, T0);
            assertEquals(1, t.events().size(), "no pause event");
            assertEquals("infrastructure", t.events().get(0).params().get("class"));
            assertEquals("spawn", t.events().get(0).params().get("reason"));
            s = t.state();
        }
        assertEquals(2, s.errorStreak(), "the streak of the profile's own failures is kept, not grown");
        assertFalse(s.paused());
        assertFalse(s.running());
        assertEquals("spawn: cannot start \"w\": No such file or directory", s.lastError());
        assertEquals("profile", rules.sessionEnded(s, "s9", exit1(), T0).events().get(0).params().get("class"),
                "a profile's own failure carries class profile (DESIGN §2b: every failure has a class)");
    }

    @Test
    void repeatedPausesGrowWithBackoffMultiplierUpToCap() {
        PausePolicy backoff = new PausePolicy(0, Duration.ofHours(1), 2.0, Duration.ofHours(5));
        assertEquals(Duration.ofHours(1), backoff.durationAfter(0));
        assertEquals(Duration.ofHours(2), backoff.durationAfter(1));
        assertEquals(Duration.ofHours(4), backoff.durationAfter(2));
        assertEquals(Duration.ofHours(5), backoff.durationAfter(3));
        assertEquals(Duration.ofHours(5), backoff.durationAfter(10_000));
    }

    @Test
    void manualUnpauseRecordsWho() {
        Transition p = rules.pause(ProfileState.fresh("p1", "podA"), null, T0, Duration.ofHours(2), "maintenance", "cli");
        assertEquals("cli", p.events().get(0).params().get("by"));
        Transition u = rules.unpause(p.state(), T0.plus(Duration.ofMinutes(30)), "api");
        assertEquals("api", u.events().get(0).params().get("by"));
        assertEquals(1_800_000L, u.events().get(0).params().get("pausedFor"), "how long it really was paused");
        assertFalse(u.state().paused());
    }

    @Test
    void aPauseTheBreakerTakesBackDoesNotLengthenTheNextOne() {
        Transition p = rules.pause(ProfileState.fresh("p1", "podA"), null, T0, Duration.ofHours(24), "streak",
                ProfileRules.BY_RUNNER);
        assertEquals(1, p.state().pauseCount());
        assertEquals(0, rules.unpause(p.state(), T0.plusSeconds(1), io.smartrunner.event.Events.BY_BREAKER).state()
                .pauseCount(), "the outage's pause, taken back (reviewer N: the next one was counted as the second)");
        assertEquals(1, rules.unpause(p.state(), T0.plusSeconds(1), "api").state().pauseCount(),
                "an unpause by hand keeps the count: the profile did fail");
    }
}
