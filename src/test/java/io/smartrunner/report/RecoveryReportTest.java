package io.smartrunner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecoveryReportTest {
    private static final Instant T = Instant.parse("2025-01-08T10:30:00Z");

    private static EventRecord error(String pod, String profile, String session, int secs) {
        return Events.sessionFailed(T.plusSeconds(secs), pod, profile, session, Params.of(Map.of("reason", "exit")), 5L);
    }

    private static EventRecord step(String pod, String profile, String session, int secs, int n, String action,
                                    String outcome) {
        return Events.recoveryAttempted(T.plusSeconds(secs), pod, profile, session, n, action, RecoveryAttempted.Result.valueOf(outcome.toUpperCase(java.util.Locale.ROOT)), "d", null, 100);
    }

    /**
     * Reviewer R24: a profile whose worker always failed was "recovered" by every episode (the
     * browser check passed), 39 of 39. A recovery its next session's own failure follows relapsed.
     */
    @Test
    void aRecoveryWhoseNextSessionFailsAgainRelapsedAndOneItHeldDidNot() {
        RecoveryReport r = new RecoveryReport();
        r.add(error("podA", "p1", "s1", 0));
        r.add(step("podA", "p1", "s1", 1, 1, "goToHomepage", "ok"));
        r.add(error("podA", "p1", "s2", 5)); // the next session: the same failure
        r.add(step("podA", "p1", "s2", 6, 1, "goToHomepage", "ok"));
        r.add(Events.sessionFinished(T.plusSeconds(10), "podA", "p1", "s3", 4_000L)); // this time it held
        r.add(error("podA", "p2", "s4", 0));
        r.add(step("podA", "p2", "s4", 1, 1, "goToHomepage", "ok"));
        r.add(Events.sessionFailed(T.plusSeconds(5), "podA", "p2", "s5", Params.of(Map.of("reason", "exit",
                "class", "shared")), 5L)); // an outage's failure says nothing of the recovery
        r.add(Events.sessionFailed(T.plusSeconds(9), "podA", "p2", "s6", Params.of(Map.of("reason", "exit")), 5L));

        r.add(error("podA", "p3", "s7", 0));
        r.add(step("podA", "p3", "s7", 1, 1, "goToHomepage", "ok"));
        r.add(error("podA", "p3", "s8", 5));
        r.add(Events.streakForgiven(T.plusSeconds(6), "podA", "p3", 1, 0, Events.BY_BREAKER)); // the outage's

        RecoveryReport.PodStats a = r.pods().get("podA");
        assertEquals(4, a.recovered);
        assertEquals(1, a.relapsed, "p1's first recovery; its second held, p2's was not judged, p3's failure forgiven");
        assertEquals(1L, ((Map<?, ?>) ((Map<?, ?>) r.toJson().get("pods")).get("podA")).get("relapsed"));
    }

    @Test
    void countsAttemptsSuccessRatesEpisodesAndMeanTimeToRecovery() {
        RecoveryReport r = new RecoveryReport();
        r.add(Events.sessionStarted(T, "podA", "p1", "s1", "w"));
        r.add(error("podA", "p1", "s1", 0));
        r.add(step("podA", "p1", "s1", 10, 1, "goToHomepage", "unhealthy"));
        r.add(step("podA", "p1", "s1", 40, 2, "refreshPage", "ok"));
        r.add(error("podA", "p2", "s2", 0));
        r.add(step("podA", "p2", "s2", 20, 1, "goToHomepage", "ok"));
        r.add(error("podB", "p3", "s3", 0));
        r.add(step("podB", "p3", "s3", 1, 1, "goToHomepage", "failed"));
        r.add(Events.recoveryExhausted(T.plusSeconds(2), "podB", "p3", "s3", 1, 2000));
        r.add(Events.profilePaused(T.plusSeconds(3), "podB", "p3", null, 4, T.plusSeconds(86_403), "streak", "runner",
                86_400_000, 1));

        RecoveryReport.StepStats home = r.steps().get("goToHomepage");
        assertEquals(3, home.attempts);
        assertEquals(1, home.ok);
        assertEquals(1, home.unhealthy);
        assertEquals(1, home.failed);
        assertEquals(1.0 / 3, home.successRate(), 1e-9);
        assertEquals(1.0, r.steps().get("refreshPage").successRate());

        RecoveryReport.PodStats a = r.pods().get("podA");
        assertEquals(2, a.episodes);
        assertEquals(2, a.recovered);
        assertEquals(30_000, a.meanTimeToRecoveryMs(), 1e-9, "(40 s + 20 s) / 2");
        assertEquals(1, a.sessions);
        RecoveryReport.PodStats b = r.pods().get("podB");
        assertEquals(1, b.exhausted);
        assertEquals(1, b.profilesPaused());
        assertEquals(0, b.recovered);
        assertEquals(null, b.meanTimeToRecoveryMs(), "no recovery, no mean (it said 0 ms)");
        assertEquals(null, ((Map<?, ?>) ((Map<?, ?>) r.toJson().get("pods")).get("podB")).get("meanTimeToRecoveryMs"));
    }

    /**
     * Reviewer R: right after an import the fleet's report said PAUSES 0 with 4 profiles paused;
     * reviewer R2: an import with --replace only (the start's notice says to use it) counted none.
     */
    @Test
    void anImportedPauseCountsOnceReplacedOrNot() {
        RecoveryReport r = new RecoveryReport();
        r.add(Events.stateImported(T, "podA", "p1", 4, true, T.plusSeconds(3600), 1, "/old/state.db", false, "i@a"));
        r.add(Events.stateImported(T, "podA", "p2", 2, false, null, 0, "/old/state.db", false, "i@a"));
        r.add(Events.stateImported(T.plusSeconds(5), "podA", "p1", 4, true, T.plusSeconds(3600), 1, "/old/state.db",
                true, "i@a"));
        assertEquals(1, r.pods().get("podA").pauses);
        assertEquals(1, r.pods().get("podA").profilesPaused());

        RecoveryReport replacedOnly = new RecoveryReport();
        replacedOnly.add(Events.stateImported(T, "podA", "q1", 4, true, T.plusSeconds(3600), 1, "/old/state.db", true,
                "i@a"));
        assertEquals(1, replacedOnly.pods().get("podA").pauses);
    }

    /** FAILURES counted every class: 305 were 299 of the profiles' own and 6 of the runner's environment. */
    /** A reviewer stepped the wall clock back 2 h during a step: the recovery was logged before its failure, and MTTR said 0. */
    @Test
    void aRecoveryLoggedBeforeItsFailureIsLeftOutOfTheMean() {
        RecoveryReport r = new RecoveryReport();
        r.add(error("podA", "p1", "s1", 7_200));
        r.add(step("podA", "p1", "s1", 43, 1, "goToHomepage", "ok")); // 2 h earlier by the stepped clock
        r.add(error("podA", "p2", "s2", 0));
        r.add(step("podA", "p2", "s2", 20, 1, "goToHomepage", "ok"));

        RecoveryReport.PodStats a = r.pods().get("podA");
        assertEquals(2, a.recovered, "both recovered");
        assertEquals(20_000, a.meanTimeToRecoveryMs(), 1e-9, "the one with a known time only");

        RecoveryReport onlyStepped = new RecoveryReport();
        onlyStepped.add(error("podA", "p1", "s1", 7_200));
        onlyStepped.add(step("podA", "p1", "s1", 43, 1, "goToHomepage", "ok"));
        assertEquals(null, onlyStepped.pods().get("podA").meanTimeToRecoveryMs(), "unknown, not 0");
    }

    @Test
    void ownFailuresAreThoseOfClassProfile() {
        RecoveryReport r = new RecoveryReport();
        r.add(Events.sessionFailed(T, "podA", "p1", "s1", Params.of(Map.of("reason", "exit", "class", "profile")), 5L));
        r.add(Events.sessionFailed(T, "podA", "p1", "s2", Params.of(Map.of("reason", "spawn", "class",
                "infrastructure")), 5L));
        r.add(Events.sessionFailed(T, "podA", "p2", "s3", Params.of(Map.of("reason", "exit", "class", "shared")), 5L));
        r.add(error("podA", "p2", "s4", 1)); // a log written before the classes: its failures were all counted
        RecoveryReport.PodStats a = r.pods().get("podA");
        assertEquals(4, a.failures);
        assertEquals(2, a.ownFailures);
        assertEquals(2L, ((Map<?, ?>) ((Map<?, ?>) r.toJson().get("pods")).get("podA")).get("ownFailures"));
    }

    /**
     * What an opening breaker took back was the outage's (reviewer N: a 40 s outage reported
     * 66 own failures and a pause, all forgiven).
     */
    @Test
    void failuresAndPausesAnOpeningBreakerTookBackAreNotTheProfilesOwn() {
        RecoveryReport r = new RecoveryReport();
        for (int i = 0; i < 3; i++) {
            r.add(Events.sessionFailed(T, "podA", "p1", "s" + i, Params.of(Map.of("reason", "exit", "class", "profile")), 5L));
        }
        r.add(Events.profilePaused(T, "podA", "p1", "s2", 3, T.plusSeconds(86_400), "streak", "runner", 86_400_000L, 1));
        r.add(Events.sessionFailed(T, "podA", "p2", "s9", Params.of(Map.of("reason", "exit", "class", "profile")), 5L));
        r.add(Events.profilePaused(T, "podA", "p2", "s9", 1, T.plusSeconds(3_600), "maintenance", "cli", 3_600_000L, 0));
        r.add(Events.profileUnpaused(T, "podA", "p1", 73, Events.BY_BREAKER));
        r.add(Events.streakForgiven(T, "podA", "p1", 3, 0, Events.BY_BREAKER));
        RecoveryReport.PodStats a = r.pods().get("podA");
        assertEquals(4, a.failures, "every failure is still a failure");
        assertEquals(1, a.ownFailures, "p2's alone stands");
        assertEquals(1, a.pauses, "p2's pause by hand stands");
        assertEquals(1, a.profilesPaused());
    }

    /**
     * A small pod's pause lifted when a peer that failed with it succeeded was the outage's too:
     * not in PAUSES nor EVER PAUSED, as behaviour.md says (reviewer R15 F5 found the docs naming
     * only the breaker's). Its failures stay the profile's own: nothing took them back.
     */
    @Test
    void aPauseASmallPodsRecoveryTookBackIsNotTheProfilesOwn() {
        RecoveryReport r = new RecoveryReport();
        for (int i = 0; i < 4; i++) {
            r.add(Events.sessionFailed(T, "podA", "p1", "s" + i, Params.of(Map.of("reason", "exit", "class", "profile")), 5L));
        }
        r.add(Events.profilePaused(T, "podA", "p1", "s3", 4, T.plusSeconds(86_400), "streak", "runner", 86_400_000L, 1));
        r.add(Events.profileUnpaused(T, "podA", "p1", 134_626, Events.BY_POD_RECOVERED));

        RecoveryReport.PodStats a = r.pods().get("podA");
        assertEquals(List.of(0L, 0L, 4L), List.of(a.pauses, a.profilesPaused(), a.ownFailures));
        Map<?, ?> json = (Map<?, ?>) ((Map<?, ?>) r.toJson().get("pods")).get("podA");
        assertEquals(List.of(0L, 0L), List.of(json.get("pauses"), json.get("profilesPaused")));

        r.add(Events.profilePaused(T, "podA", "p1", "s9", 4, T.plusSeconds(86_400), "streak", "runner", 86_400_000L, 1));
        assertEquals(List.of(1L, 1L), List.of(a.pauses, a.profilesPaused()), "a pause that runs its course counts");
    }

    /** A step its browser provider kept from running (AdsPower down) says nothing of how well it heals. */
    @Test
    void aStepThatFailedBecauseTheProviderWasUnreachableIsLeftOutOfItsSuccessRate() {
        RecoveryReport r = new RecoveryReport();
        r.add(step("podA", "p1", "s1", 1, 4, "reopenProfile", "ok"));
        r.add(Events.recoveryAttempted(T.plusSeconds(2), "podA", "p2", "s2", 4, "reopenProfile",
                RecoveryAttempted.Result.FAILED, "AdsPower /api/v1/browser/stop user_id=p2: connection refused", null, 3200,
                new Events.EpisodeStart("fixed", null, null, null), true));
        RecoveryReport.StepStats reopen = r.steps().get("reopenProfile");
        assertEquals(List.of(1L, 1L, 0L, 1L), List.of(reopen.attempts, reopen.ok, reopen.failed,
                reopen.providerUnreachable));
        assertEquals(1.0, reopen.successRate());
        assertEquals(1L, ((Map<?, ?>) ((Map<?, ?>) r.toJson().get("steps")).get("reopenProfile")).get("providerUnreachable"));
    }

    @Test
    void aSessionStoppedByTheRunnerIsNoFailure() {
        RecoveryReport r = new RecoveryReport();
        r.add(Events.sessionStarted(T, "podA", "p1", "s1", "w"));
        r.add(Events.sessionFailed(T.plusSeconds(1), "podA", "p1", "s1", Params.of(Map.of("reason", "shutdown")), 5L));
        r.add(Events.sessionStarted(T.plusSeconds(2), "podA", "p1", "s2", "w"));
        r.add(error("podA", "p1", "s2", 3));
        assertEquals(2, r.pods().get("podA").sessions);
        assertEquals(1, r.pods().get("podA").failures, "the exit counts, the shutdown does not");
    }

    @Test
    void theTimelineCountsSessionsPerMinuteAndNoShutdowns() {
        SessionTimeline t = new SessionTimeline();
        t.add(Events.sessionStarted(T, "podA", "p1", "s1", "w"));
        t.add(Events.sessionFinished(T.plusSeconds(10), "podA", "p1", "s1", 10L));
        t.add(Events.sessionStarted(T.plusSeconds(70), "podA", "p1", "s2", "w"));
        t.add(error("podA", "p1", "s2", 80));
        t.add(Events.sessionFailed(T.plusSeconds(90), "podA", "p1", "s3", Params.of(Map.of("reason", "shutdown")), 5L));
        var rows = t.lastMinutes(T.plusSeconds(100), 3);
        assertEquals(3, rows.size());
        assertEquals("2025-01-08T10:29:00Z", rows.get(0).get("minute"));
        assertEquals(Map.of("minute", "2025-01-08T10:30:00Z", "started", 1L, "finished", 1L, "failed", 0L), rows.get(1));
        assertEquals(Map.of("minute", "2025-01-08T10:31:00Z", "started", 1L, "finished", 0L, "failed", 1L), rows.get(2));
    }
}
