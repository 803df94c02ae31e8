package io.smartrunner.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventKinds;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.EventSink;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import io.smartrunner.event.WireEvent;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Synthetic events in, the scraped Prometheus text out. */
class FleetMetricsTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
    private static final String SECRET = "sk-live-0123456789";

    private final ManualTimeSource time = new ManualTimeSource(T);
    private final FleetMetrics metrics = new FleetMetrics(time, Set.of(SECRET));
    private final AtomicReference<CompletableFuture<List<ProfileState>>> snapshot =
            new AtomicReference<>(CompletableFuture.completedFuture(List.of()));
    private final Supplier<String> scrape = metrics.exposition(snapshot::get, Duration.ofMillis(50));

    private static EventRecord started(String pod, String profile) {
        return Events.sessionStarted(T, pod, profile, profile + "-s", "/bin/worker " + SECRET);
    }

    private static EventRecord failed(String pod, String profile, String reason, long durMs) {
        return Events.sessionFailed(T, pod, profile, profile + "-s",
                Params.of(Events.params("reason", reason, "exitCode", 1, "stderrTail", "token=" + SECRET)), durMs);
    }

    /** The value of one series (name with its labels in alphabetical order, as the registry writes them). */
    static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .orElseThrow(() -> new AssertionError("no series " + series + " in:\n" + text));
    }

    @Test
    void countsSessionsStartedFinishedAndFailedByPodAndReason() {
        metrics.accept(List.of(started("podA", "p1"), failed("podA", "p1", "exit", 1200),
                started("podA", "p2"), Events.sessionFinished(T, "podA", "p2", "p2-s", 3000L),
                started("podB", "p3"), failed("podB", "p3", "timeout", 600_000)));
        metrics.accept(List.of(failed("podA", "p1", "exit", 800)));

        String text = scrape.get();
        assertEquals(2, value(text, "smartrunner_sessions_started_total{pod=\"podA\"}"));
        assertEquals(1, value(text, "smartrunner_sessions_finished_total{pod=\"podA\"}"));
        assertEquals(2, value(text, "smartrunner_sessions_failed_total{pod=\"podA\",reason=\"exit\"}"));
        assertEquals(1, value(text, "smartrunner_sessions_failed_total{pod=\"podB\",reason=\"timeout\"}"));
        assertEquals(0, value(text, "smartrunner_sessions_failed_total{pod=\"podB\",reason=\"hang\"}"),
                "every reason of a seen pod exists from its first event");
        assertEquals(0, value(text, "smartrunner_sessions_finished_total{pod=\"podB\"}"));
    }

    @Test
    void recordsSessionDurationsInSecondsByOutcome() {
        metrics.accept(List.of(failed("podA", "p1", "exit", 1500), failed("podA", "p1", "hang", 40_000),
                Events.sessionFinished(T, "podA", "p1", "s", 2000L), failed("podA", "p1", "lost", 0)));
        metrics.accept(List.of(Events.sessionFailed(T, "podA", "p1", "s", Params.of(Events.params("reason", "lost")), null)));

        String text = scrape.get();
        assertEquals(3, value(text, "smartrunner_session_duration_seconds_count{outcome=\"error\"}"),
                "a failure without a duration is counted as a failure but not timed");
        assertEquals(41.5, value(text, "smartrunner_session_duration_seconds_sum{outcome=\"error\"}"), 1e-9);
        assertEquals(2, value(text, "smartrunner_session_duration_seconds_bucket{outcome=\"error\",le=\"2.5\"}"));
        assertEquals(1, value(text, "smartrunner_session_duration_seconds_count{outcome=\"ok\"}"));
        assertTrue(text.contains("# TYPE smartrunner_session_duration_seconds histogram"), text);
    }

    @Test
    void countsRecoveryAttemptsByStepAndOutcomeAndExhaustedEpisodesByPod() {
        metrics.accept(List.of(
                Events.recoveryAttempted(T, "podA", "p1", "s1", 1, "goToHomepage", RecoveryAttempted.Result.UNHEALTHY, "navigated", "readyState loading", 300),
                Events.recoveryAttempted(T, "podA", "p1", "s1", 2, "browserBack", RecoveryAttempted.Result.FAILED, "no previous entry", null, 100),
                Events.recoveryAttempted(T, "podA", "p1", "s1", 3, "refreshPage", RecoveryAttempted.Result.OK, "reloaded", "healthy", 900),
                Events.recoveryAttempted(T, "podB", "p3", "s3", 1, "goToHomepage", RecoveryAttempted.Result.UNHEALTHY, "x", "y", 500),
                Events.recoveryExhausted(T, "podB", "p3", "s3", 1, 60_000)));

        String text = scrape.get();
        assertEquals(2, value(text, "smartrunner_recovery_attempts_total{outcome=\"unhealthy\",step=\"goToHomepage\"}"));
        assertEquals(1, value(text, "smartrunner_recovery_attempts_total{outcome=\"failed\",step=\"browserBack\"}"));
        assertEquals(1, value(text, "smartrunner_recovery_attempts_total{outcome=\"ok\",step=\"refreshPage\"}"));
        assertEquals(0.8, value(text, "smartrunner_recovery_step_duration_seconds_sum{step=\"goToHomepage\"}"), 1e-9);
        assertEquals(1, value(text, "smartrunner_recovery_exhausted_total{pod=\"podB\"}"));
        assertEquals(0, value(text, "smartrunner_recovery_exhausted_total{pod=\"podA\"}"));
        assertFalse(text.contains("step=\"ladder\""), "an exhausted episode is not a step attempt");
    }

    @Test
    void countsPausesAndUnpausesByPodAndWhoDidIt() {
        metrics.accept(List.of(
                Events.profilePaused(T, "podA", "p1", "s1", 4, T.plusSeconds(86_400), "streak", "runner", 86_400_000, 1),
                Events.profilePaused(T, "podA", "p2", null, 0, T.plusSeconds(60), "maintenance", "api", 60_000, 1),
                Events.profileUnpaused(T, "podA", "p2", 5000, "api"),
                Events.profileUnpaused(T, "podA", "p1", 86_400_000, "someone " + SECRET)));

        String text = scrape.get();
        assertEquals(1, value(text, "smartrunner_pauses_total{by=\"runner\",pod=\"podA\"}"));
        assertEquals(1, value(text, "smartrunner_pauses_total{by=\"api\",pod=\"podA\"}"));
        assertEquals(1, value(text, "smartrunner_unpauses_total{by=\"api\",pod=\"podA\"}"));
        assertEquals(1, value(text, "smartrunner_unpauses_total{by=\"other\",pod=\"podA\"}"), "an unknown by is not a label value");
    }

    @Test
    void countsResetsAndRunNowRequestsByHand() {
        metrics.accept(List.of(Events.streakReset(T, "podA", "p1", 3, "cli"), Events.runRequested(T, "podA", "p1", "api"),
                Events.runRequested(T, "podA", "p2", "api")));
        String text = scrape.get();
        assertEquals(1, value(text, "smartrunner_manual_requests_total{action=\"reset\",by=\"cli\"}"));
        assertEquals(2, value(text, "smartrunner_manual_requests_total{action=\"run\",by=\"api\"}"));
    }

    /** Reviewer O: the streaks an opening breaker took back were counted as resets by hand, by="breaker". */
    @Test
    void streaksTheBreakerForgaveAreNoRequestsByHand() {
        metrics.accept(List.of(Events.streakForgiven(T, "podA", "p1", 3, 0, "breaker"),
                Events.streakForgiven(T, "podA", "p2", 2, 0, "breaker"), Events.streakReset(T, "podA", "p3", 3, "api")));
        String text = scrape.get();
        assertEquals(2, value(text, "smartrunner_streaks_forgiven_total{pod=\"podA\"}"));
        assertEquals(1, value(text, "smartrunner_manual_requests_total{action=\"reset\",by=\"api\"}"));
        assertFalse(text.contains("by=\"breaker\""), text);
    }

    @Test
    void labelsNeverCarryProfileIdsFreeTextOrSecrets() {
        metrics.accept(List.of(started("podA", "profile-k12im9s2"), failed("podA", "profile-k12im9s2", "made-up reason", 10),
                // an attempt with an outcome word this version does not know (a newer runner's)
                EventKinds.decode(new WireEvent(T, "podA", "profile-k12im9s2", "s", "recover", "recovery",
                        Events.params("step", 1, "action", "kick " + SECRET, "outcome", "weird", "message", SECRET,
                                "verification", SECRET), "weird", 5L)),
                started(SECRET, "profile-x7"), started("ws://127.0.0.1:9222/devtools/browser/abc", "profile-x8")));

        String text = scrape.get();
        assertFalse(text.contains("profile-"), "no profile id anywhere:\n" + text);
        assertFalse(text.contains(SECRET), text);
        assertFalse(text.contains("devtools"), text);
        assertEquals(1, value(text, "smartrunner_sessions_failed_total{pod=\"podA\",reason=\"other\"}"));
        assertEquals(1, value(text, "smartrunner_recovery_attempts_total{outcome=\"other\",step=\"other\"}"));
        assertEquals(1, value(text, "smartrunner_sessions_started_total{pod=\"redacted\"}"),
                "a pod name that is an ${env:...} value is masked");
        assertEquals(1, value(text, "smartrunner_sessions_started_total{pod=\"other\"}"));
    }

    @Test
    void profileGaugesCountEachProfileInOneStateWhenScraped() {
        snapshot.set(CompletableFuture.completedFuture(List.of(
                state("p1", false, false, true), state("p2", true, false, false), state("p3", true, true, false),
                state("p4", false, true, false), state("p5", false, false, false), state("p6", false, true, true))));

        String text = scrape.get();
        assertEquals(2, value(text, "smartrunner_profiles{state=\"paused\"}"), "paused wins over everything");
        assertEquals(2, value(text, "smartrunner_profiles{state=\"running\"}"), "running wins over needs_recovery");
        assertEquals(1, value(text, "smartrunner_profiles{state=\"needs_recovery\"}"));
        assertEquals(1, value(text, "smartrunner_profiles{state=\"idle\"}"));
        assertFalse(text.contains("p1") || text.contains("p6"), text);

        snapshot.set(CompletableFuture.completedFuture(List.of(state("p1", false, false, false))));
        text = scrape.get();
        assertEquals(0, value(text, "smartrunner_profiles{state=\"paused\"}"));
        assertEquals(1, value(text, "smartrunner_profiles{state=\"idle\"}"));
    }

    @Test
    void keepsTheLastProfileCountsWhenTheLoopDoesNotAnswerInTime() {
        snapshot.set(CompletableFuture.completedFuture(List.of(state("p1", false, false, true))));
        scrape.get();
        snapshot.set(new CompletableFuture<>());

        String text = scrape.get();
        assertEquals(1, value(text, "smartrunner_profiles{state=\"paused\"}"));
        assertEquals(1, value(text, "smartrunner_profile_snapshot_timeouts_total"));
    }

    @Test
    void timesEachEventLogAppendAndCountsTheFailedOnes() {
        List<EventRecord> written = new ArrayList<>();
        boolean[] diskFull = {false};
        EventSink slow = new EventSink() {
            @Override
            public void append(List<EventRecord> events) {
                time.advance(Duration.ofMillis(3));
                if (diskFull[0]) {
                    throw new EventLogException("events.jsonl: cannot write", new java.io.IOException("No space left on device"));
                }
                written.addAll(events);
            }

            @Override
            public void close() {
            }
        };
        EventSink sink = metrics.timed(slow);
        sink.append(List.of(started("podA", "p1")));
        sink.append(List.of(started("podA", "p2")));
        diskFull[0] = true;
        assertThrows(EventLogException.class, () -> sink.append(List.of(started("podA", "p3"))));

        String text = scrape.get();
        assertEquals(2, written.size());
        assertEquals(2, value(text, "smartrunner_event_log_write_seconds_count"));
        assertEquals(0.006, value(text, "smartrunner_event_log_write_seconds_sum"), 1e-9);
        assertEquals(0, value(text, "smartrunner_event_log_write_seconds_bucket{le=\"0.0025\"}"));
        assertEquals(2, value(text, "smartrunner_event_log_write_seconds_bucket{le=\"0.005\"}"));
        assertEquals(1, value(text, "smartrunner_event_log_write_failures_total"));
    }

    @Test
    void countsContainedInternalErrorsByWhatTheLoopWasHandlingWithABoundedLabel() {
        metrics.accept(List.of(
                Events.internalError(T, "podA", "p1", null, "recovery", "java.lang.IllegalStateException", "x"),
                Events.internalError(T, "podA", "p2", "s", "recovery", "java.lang.NullPointerException", "y"),
                Events.internalError(T, null, null, null, "leftovers", "java.lang.RuntimeException", "z"),
                Events.internalError(T, "podA", "p1", null, "p1 " + SECRET, "java.lang.RuntimeException", "z")));

        String text = scrape.get();
        assertEquals(2, value(text, "smartrunner_internal_errors_total{while=\"recovery\"}"));
        assertEquals(1, value(text, "smartrunner_internal_errors_total{while=\"leftovers\"}"));
        assertEquals(1, value(text, "smartrunner_internal_errors_total{while=\"other\"}"), "free text is no label");
        assertFalse(text.contains(SECRET));
        assertFalse(text.contains("pod=\"other\""), "a runner event adds no pod series");
    }

    private static ProfileState state(String id, boolean running, boolean needsRecovery, boolean paused) {
        return new ProfileState(id, "podA", 0, running, needsRecovery, paused, paused ? T.plusSeconds(60) : null,
                null, null, null, null, paused ? 1 : 0, paused ? T : null);
    }
}
