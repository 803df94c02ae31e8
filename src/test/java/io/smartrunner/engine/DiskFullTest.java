package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The event log or the store cannot be written (issue #9, point 3), driven with the manual clock:
 * the loop backs off, an operator's change is answered only once its event is in the log (or
 * refused and taken back), and a shutdown says truly what was not written.
 */
class DiskFullTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final List<String> diagnostics = new ArrayList<>();

    private Supervisor supervisor(String... ids) {
        return supervisor(0, ids);
    }

    private Supervisor supervisor(long cooldownMs, String... ids) {
        Supervisor s = unstarted(cooldownMs, ids);
        s.start();
        return s;
    }

    private Supervisor unstarted(long cooldownMs, String... ids) {
        RunnerConfig config = TestConfig.builder().cooldownMs(cooldownMs).pod("podA", ids).build();
        return new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, diagnostics::add, Runnable::run,
                new FakeRecoveryActions(), null));
    }

    /** A run that writes its runner-start and runner-stop, as {@code run} makes it, its first step taken. */
    private Supervisor announcedRun(String... ids) {
        Supervisor s = unstarted(0, ids);
        s.announceRun(4242, ids.length, 1, null);
        s.start();
        s.step();
        return s;
    }

    /** Runs the loop as {@code loop()} would for {@code span} of clock time: each step when it asks to be woken. */
    private int stepsOver(Supervisor s, Duration span) {
        long end = time.nanoTime() + span.toNanos();
        int steps = 0;
        while (time.nanoTime() - end < 0) {
            long now = time.nanoTime();
            // at least 1 ms a step, so a loop that asks to be woken "now" runs 1 000 times a second, not forever
            long wake = Math.max(s.nextWakeNanos(now), now + TimeUnit.MILLISECONDS.toNanos(1));
            time.advance(Duration.ofNanos(Math.min(wake, end) - now));
            s.step();
            steps++;
        }
        return steps;
    }

    private ProfileState stateSeenByTheLoop(Supervisor s, String id) {
        CompletableFuture<List<ProfileState>> reply = s.profiles();
        s.step();
        return reply.join().stream().filter(p -> p.profileId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aFullLogIsRetriedWithABoundedBackoffSaidOnceAndSessionsResumeWhenSpaceReturns() {
        Supervisor s = supervisor("p1", "p2");
        s.step();
        assertEquals(2, launcher.launched.size());
        sink.diskFull = true;
        launcher.forProfile("p1").get(0).exit(0);
        int before = sink.attempts;
        s.step(); // the exit wakes the loop: the first try
        stepsOver(s, Duration.ofSeconds(60));
        int attempts = sink.attempts - before;
        // 50, 100, 200, ... 3 200 ms, then every 5 s: 7 tries in the first 6.35 s, ~11 in the remaining 53.65 s
        assertTrue(attempts <= 19, "append attempts in 60 s of a full disk: " + attempts);
        assertTrue(attempts >= 15, "it keeps trying: " + attempts);
        assertEquals(1, diagnostics.size(), "said once per episode, not per try: " + diagnostics);
        assertTrue(diagnostics.get(0).contains("No space left on device"), diagnostics.toString());
        assertEquals(2, launcher.launched.size(), "nothing starts while decisions cannot be recorded");

        sink.diskFull = false;
        stepsOver(s, Duration.ofNanos(WriteBackoff.MAX_NANOS));
        assertNull(s.problem());
        assertEquals(3, launcher.launched.size(), "p1 runs again by itself");
        assertEquals(List.of("start", "finish", "start"), sink.names("p1"));
        assertTrue(diagnostics.get(1).startsWith("writing again after"), diagnostics.toString());

        sink.diskFull = true; // a second episode starts again from the shortest pause
        launcher.forProfile("p2").get(0).exit(0);
        before = sink.attempts;
        s.step();
        stepsOver(s, Duration.ofMillis(100));
        assertEquals(2, sink.attempts - before, "tried at once, then after 50 ms");
        assertEquals(3, diagnostics.size(), "and said once again: " + diagnostics);
    }

    @Test
    void aCooldownThatEndsWhileTheLogIsFullDoesNotSpinTheLoop() {
        Supervisor s = supervisor(1_000, "p1", "p2");
        s.step();
        sink.diskFull = true;
        launcher.forProfile("p1").get(0).exit(1); // its cooldown ends 1 s later, with the disk still full
        s.step();

        int steps = stepsOver(s, Duration.ofSeconds(60));

        // the write retries (about 19), p2's output polls (one a second) and little else; a loop woken
        // "now" by the ended cooldown it cannot act on would take a step every millisecond (the bench's
        // diskfull: a whole core)
        assertTrue(steps <= 100, "loop steps in 60 s of a full disk: " + steps);
        assertEquals(2, launcher.launched.size(), "nothing starts while decisions cannot be recorded");
        sink.diskFull = false;
        stepsOver(s, Duration.ofNanos(WriteBackoff.MAX_NANOS));
        assertEquals(3, launcher.launched.size(), "p1 runs again once the log takes writes");
    }

    @Test
    void aPauseIsAnsweredOnlyOnceItsEventIsInTheLogAndItsEffectsFollowIt() {
        Supervisor s = supervisor("p1");
        s.step();
        List<String> logWhenAnswered = new ArrayList<>();
        CompletableFuture<ManualReply> reply = s.request(new ManualRequest.Pause("p1", Duration.ofHours(2), "m", "api"));
        reply.thenRun(() -> logWhenAnswered.addAll(sink.names("p1")));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, reply.join().outcome());
        assertEquals(List.of("start", "pause"), logWhenAnswered, "the pause event was in the log before the answer");
        assertNotNull(launcher.last().stop, "and the session is stopped");
    }

    @Test
    void aPauseThatCannotBeRecordedIsAnsweredUnavailableAndChangesNothing() {
        Supervisor s = supervisor("p1");
        s.step();
        sink.diskFull = true;
        CompletableFuture<ManualReply> reply = s.request(new ManualRequest.Pause("p1", Duration.ofHours(2), "m", "api"));
        s.step();
        ManualReply r = reply.join();
        assertEquals(ManualReply.Outcome.UNAVAILABLE, r.outcome());
        assertTrue(r.refusal().contains("No space left on device"), r.refusal());
        assertFalse(r.state().paused());
        assertFalse(stateSeenByTheLoop(s, "p1").paused(), "taken back in memory too");
        assertNull(launcher.last().stop, "its session was not stopped");

        sink.diskFull = false;
        stepsOver(s, Duration.ofNanos(WriteBackoff.MAX_NANOS));
        assertEquals(List.of("start"), sink.names("p1"), "no pause event reaches the log later");
        assertFalse(store.profiles.get("p1").paused());
        assertNull(launcher.last().stop);
    }

    /**
     * Reviewer R13: with the log full a reload was answered and applied at once (a removed
     * profile's session stopped), its event written only once space came back, or never after a
     * kill -9. It is refused now, as a pause is, and changes nothing.
     */
    @Test
    void aReloadThatCannotBeRecordedIsRefusedAndChangesNothing() {
        Supervisor s = supervisor("p1", "p2");
        s.step();
        sink.diskFull = true;
        CompletableFuture<ReloadSummary> reply = s.requestReload(TestConfig.builder().pod("podA", "p1").build());
        s.step();

        java.util.concurrent.CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.CompletionException.class, reply::join);
        assertTrue(refused.getCause() instanceof ChangeNotRecorded, String.valueOf(refused.getCause()));
        assertTrue(refused.getCause().getMessage().startsWith("not done, the change cannot be recorded: ")
                && refused.getCause().getMessage().contains("No space left on device"), refused.getCause().getMessage());
        assertNull(launcher.forProfile("p2").get(0).stop, "the profile the reload would remove runs on");
        assertEquals(List.of("p1", "p2"), stepAndList(s), "both profiles are still the runner's");

        sink.diskFull = false;
        stepsOver(s, Duration.ofNanos(WriteBackoff.MAX_NANOS));
        assertFalse(sink.events.stream().anyMatch(e -> e.event().equals("reload")), "no reload event reaches the log later");
        assertNull(launcher.forProfile("p2").get(0).stop);
    }

    /** A reload's event is in the log before any of it takes effect: before the removed profile's session is stopped. */
    @Test
    void aReloadsEventIsWrittenBeforeItStopsARemovedProfilesSession() {
        Supervisor s = supervisor("p1", "p2");
        s.step();
        List<String> logWhenStopped = new ArrayList<>();
        FakeLauncher.FakeProcess p2 = launcher.forProfile("p2").get(0);
        p2.onStop = () -> logWhenStopped.addAll(sink.events.stream().map(e -> e.event()).toList());
        CompletableFuture<ReloadSummary> reply = s.requestReload(TestConfig.builder().pod("podA", "p1").build());
        s.step();

        assertEquals(List.of("p2"), reply.join().removed());
        assertNotNull(p2.stop, "the removed profile's session is stopped");
        assertEquals("reload", logWhenStopped.get(logWhenStopped.size() - 1), "its event was in the log first: " + logWhenStopped);
    }

    private List<String> stepAndList(Supervisor s) {
        CompletableFuture<List<ProfileState>> reply = s.profiles();
        s.step();
        return reply.join().stream().map(ProfileState::profileId).toList();
    }

    @Test
    void eachKindOfChangeIsRefusedAndTakenBackWhileTheLogIsFull() {
        Supervisor s = supervisor(600_000, "p1");
        s.step();
        launcher.last().exit(2);
        s.step();
        assertEquals(1, store.profiles.get("p1").errorStreak());
        sink.diskFull = true;
        for (ManualRequest request : List.of(new ManualRequest.ResetStreak("p1", "cli"),
                new ManualRequest.RunNow("p1", "api"))) {
            CompletableFuture<ManualReply> reply = s.request(request);
            s.step();
            assertEquals(ManualReply.Outcome.UNAVAILABLE, reply.join().outcome(), request.toString());
        }
        assertEquals(1, stateSeenByTheLoop(s, "p1").errorStreak(), "the reset was taken back");
        sink.diskFull = false;
        stepsOver(s, Duration.ofNanos(WriteBackoff.MAX_NANOS));
        assertFalse(sink.names("p1").contains("reset"));
        assertFalse(sink.names("p1").contains("run"));
        assertEquals(1, store.profiles.get("p1").errorStreak());
    }

    @Test
    void aChangeWhoseEventIsWrittenStandsEvenIfTheStoreLags() {
        Supervisor s = supervisor("p1");
        s.step();
        store.failWrites = true;
        ManualReply r = stepped(s, s.request(new ManualRequest.Pause("p1", Duration.ofHours(2), "m", "api")));
        assertEquals(ManualReply.Outcome.DONE, r.outcome(), "the event log has it: it is the record");
        assertEquals(List.of("start", "pause"), sink.names("p1").subList(0, 2));
        store.failWrites = false;
        stepsOver(s, Duration.ofNanos(WriteBackoff.MAX_NANOS));
        assertTrue(store.profiles.get("p1").paused(), "the store catches up");
    }

    @Test
    void whileTheStoreIsKnownBrokenAChangeIsRefusedBeforeAnythingIsWritten() {
        Supervisor s = supervisor("p1");
        s.step();
        store.failWrites = true;
        launcher.last().exit(0);
        s.step(); // the finish event is written, its rows are not
        ManualReply r = stepped(s, s.request(new ManualRequest.Pause("p1", Duration.ofHours(2), "m", "api")));
        assertEquals(ManualReply.Outcome.UNAVAILABLE, r.outcome());
        assertTrue(r.refusal().contains("state.db: disk I/O error"), r.refusal());
        assertFalse(sink.names("p1").contains("pause"), "not in the log: a restart could not know it from the store");
    }

    private static ManualReply stepped(Supervisor s, CompletableFuture<ManualReply> reply) {
        s.step();
        return reply.join();
    }

    @Test
    void shutdownSaysHowManyEventsAndStateRowsWereNotWrittenAndWhy() {
        Supervisor s = supervisor("p1");
        s.step();
        store.failWrites = true; // the events reach the log, the rows do not
        launcher.last().exit(0);
        s.requestStop();
        assertFalse(s.loop());
        String last = diagnostics.get(diagnostics.size() - 1);
        // p1's profile row and its session's row; its finish event is in the log
        assertEquals("exiting with 0 event(s) and 2 state row(s) not written, because: state.db: disk I/O error", last);
        assertEquals(List.of("start", "finish"), sink.names("p1"));
    }

    /**
     * Reviewer R18: a stop while the store could not be written (PostgreSQL away) wrote its
     * runner-stop to the log, yet the next start said the run "ended without writing its stop:
     * killed, crashed, or its log unwritable". The stop is on record when the log has it.
     */
    @Test
    void aStopWhoseRowsCannotBeWrittenHasItsRunnerStopInTheLogAndSaysSo() {
        Supervisor s = announcedRun("p1");
        store.failWrites = true;
        s.requestStop();
        assertFalse(s.loop(), "not everything is durable: the rows are not");
        assertEquals("runner-stop", sink.events.get(sink.events.size() - 1).event());
        assertTrue(s.stopWritten());
    }

    @Test
    void aStopWhoseLogIsFullDidNotWriteItsRunnerStop() {
        Supervisor s = announcedRun("p1");
        sink.diskFull = true;
        s.requestStop();
        assertFalse(s.loop());
        assertFalse(s.stopWritten());
    }

    @Test
    void shutdownWithAFullLogCountsTheEventsItCouldNotWrite() {
        Supervisor s = supervisor("p1", "p2");
        s.step();
        sink.diskFull = true;
        s.requestStop(); // both sessions end as shutdown: two error events, two profile and two session rows
        assertFalse(s.loop());
        String last = diagnostics.get(diagnostics.size() - 1);
        assertTrue(last.startsWith("exiting with 2 event(s) and 4 state row(s) not written, because: "
                + "logs/events.jsonl: cannot append events: No space left on device"), last);
    }
}
