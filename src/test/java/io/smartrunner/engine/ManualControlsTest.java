package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Operators' requests (pause, unpause, reset, run now, reload) driven tick by tick. */
class ManualControlsTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final List<String> diagnostics = new ArrayList<>();

    private Supervisor supervisor(RunnerConfig config) {
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, diagnostics::add, Runnable::run,
                new FakeRecoveryActions(), null));
        s.start();
        return s;
    }

    private static RunnerConfig fleet(long cooldownMs, int globalLimit, String... ids) {
        return TestConfig.builder().globalLimit(globalLimit).cooldownMs(cooldownMs).pod("podA", ids).build();
    }

    private static <T> T answered(Supervisor s, CompletableFuture<T> reply) {
        s.step();
        assertTrue(reply.isDone(), "the loop answers in the same step");
        return reply.join();
    }

    private EventRecord last(String profile) {
        List<EventRecord> of = sink.events.stream().filter(e -> e.profileId().equals(profile)).toList();
        return of.get(of.size() - 1);
    }

    @Test
    void pauseByHandStopsTheRunningSessionWithoutCountingItAndRecordsWho() {
        Supervisor s = supervisor(fleet(0, 8, "p1"));
        s.step();
        ManualReply reply = answered(s, s.request(new ManualRequest.Pause("p1", Duration.ofHours(2), "maintenance", "api")));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, reply.outcome());
        assertTrue(store.profiles.get("p1").paused());
        assertEquals(T0.plus(Duration.ofHours(2)), store.profiles.get("p1").pausedUntil());
        assertEquals(List.of("start", "pause", "error"), sink.names("p1"));
        EventRecord pause = sink.events.stream().filter(e -> e.event().equals("pause")).findFirst().orElseThrow();
        assertEquals("api", pause.params().get("by"));
        assertEquals("maintenance", pause.params().get("reason"));
        assertEquals("shutdown", last("p1").params().get("reason"), "stopped, not failed");
        assertEquals(0, store.profiles.get("p1").errorStreak());
        time.advance(Duration.ofHours(1));
        s.step();
        assertEquals(1, launcher.launched.size(), "paused: nothing starts");
    }

    @Test
    void pauseOfAPausedProfileAndUnpauseOfARunningOneAreRefused() {
        Supervisor s = supervisor(fleet(0, 8, "p1"));
        ManualReply notPaused = answered(s, s.request(new ManualRequest.Unpause("p1", "api")));
        assertEquals(ManualReply.Outcome.REFUSED, notPaused.outcome());
        assertEquals("p1 is not paused", notPaused.refusal());
        answered(s, s.request(new ManualRequest.Pause("p1", Duration.ofHours(5), "x", "api")));
        ManualReply again = answered(s, s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "y", "api")));
        assertEquals(ManualReply.Outcome.REFUSED, again.outcome(), "a pause is never made shorter");
        assertEquals(T0.plus(Duration.ofHours(5)), store.profiles.get("p1").pausedUntil(), "the first pause stays");
        ManualReply unpaused = answered(s, s.request(new ManualRequest.Unpause("p1", "cli")));
        assertEquals(ManualReply.Outcome.DONE, unpaused.outcome());
        assertFalse(unpaused.state().paused());
        EventRecord unpause = sink.events.stream().filter(e -> e.event().equals("unpause")).findFirst().orElseThrow();
        assertEquals("cli", unpause.params().get("by"));
    }

    @Test
    void unknownProfileIsSaidSoAndChangesNothing() {
        Supervisor s = supervisor(fleet(0, 8, "p1"));
        int before = sink.events.size();
        ManualReply reply = answered(s, s.request(new ManualRequest.ResetStreak("nope", "api")));
        assertEquals(ManualReply.Outcome.UNKNOWN_PROFILE, reply.outcome());
        assertEquals(before + 1, sink.events.size(), "only p1's start: " + sink.events);
    }

    @Test
    void resetSetsTheStreakToZeroWithAResetEventAndKeepsAPause() {
        Supervisor s = supervisor(fleet(0, 8, "p1"));
        for (int i = 0; i < 2; i++) {
            s.step();
            launcher.last().exit(1);
        }
        s.step();
        assertEquals(2, store.profiles.get("p1").errorStreak());
        ManualReply reply = answered(s, s.request(new ManualRequest.ResetStreak("p1", "api")));
        assertEquals(0, reply.state().errorStreak());
        assertEquals(0, store.profiles.get("p1").errorStreak());
        EventRecord reset = sink.events.stream().filter(e -> e.event().equals("reset")).findFirst().orElseThrow();
        assertEquals(2, ((Number) reset.params().get("errorStreakWas")).intValue());
        assertEquals("api", reset.params().get("by"));
        assertEquals("profile", reset.type());
    }

    @Test
    void runNowSkipsTheCooldownAndGoesFirstInLine() {
        Supervisor s = supervisor(fleet(60_000, 1, "a", "b"));
        s.step();
        assertEquals(1, launcher.launched.size(), "global limit 1: a runs");
        launcher.last().exit(0);
        s.step();
        assertEquals(2, launcher.launched.size(), "then b");
        ManualReply reply = answered(s, s.request(new ManualRequest.RunNow("a", "api")));
        assertEquals(ManualReply.Outcome.DONE, reply.outcome());
        assertEquals("run", last("a").event());
        assertEquals(2, launcher.launched.size(), "no free slot yet");
        launcher.last().exit(0);
        s.step();
        assertEquals(3, launcher.launched.size(), "a starts within its 60 s cooldown, as soon as b's slot is free");
        assertEquals("a", launcher.last().spec.env().get("SR_PROFILE_ID"));
        ManualReply busy = answered(s, s.request(new ManualRequest.RunNow("a", "api")));
        assertEquals(ManualReply.Outcome.REFUSED, busy.outcome());
        assertEquals("a is already running", busy.refusal());
    }

    @Test
    void requestsHandedOverTogetherAreCarriedOutInOneTurnAndAnsweredInOrder() {
        Supervisor s = supervisor(fleet(0, 1, "a", "b", "c"));
        s.step();
        assertEquals(1, launcher.launched.size(), "global limit 1: a runs");
        answered(s, s.request(new ManualRequest.Pause("c", Duration.ofHours(1), "earlier", "api")));
        List<CompletableFuture<ManualReply>> replies = s.requestAll(List.of(
                new ManualRequest.Pause("a", Duration.ofHours(2), "pod", "api"),
                new ManualRequest.Pause("c", Duration.ofHours(2), "pod", "api"),
                new ManualRequest.Pause("b", Duration.ofHours(2), "pod", "api")));
        s.step();
        assertTrue(replies.stream().allMatch(CompletableFuture::isDone), "all answered in the same step");
        // reviewer R14: c, paused for 1 h already, is paused for the pod's 2 h (a pause is made longer, never shorter)
        assertEquals(List.of(ManualReply.Outcome.DONE, ManualReply.Outcome.DONE, ManualReply.Outcome.DONE),
                replies.stream().map(r -> r.join().outcome()).toList());
        assertEquals(T0.plus(Duration.ofHours(2)), replies.get(1).join().state().pausedUntil());
        s.step();
        assertEquals(1, launcher.launched.size(), "b was paused in the turn that freed a's slot, before it could start");
        assertEquals(List.of("pause"), sink.names("b"));
        assertTrue(store.profiles.get("a").paused() && store.profiles.get("b").paused());
        CompletableFuture<ManualReply> shorter = s.request(new ManualRequest.Pause("c", Duration.ofMinutes(30), "m", "api"));
        s.step();
        assertEquals("c is already paused until " + T0.plus(Duration.ofHours(2)) + ", no sooner than asked; unpause it"
                + " first to shorten its pause", shorter.join().refusal());
    }

    @Test
    void runNowWhileTheRunnerStopsIsRefusedAndWritesNoRunEvent() {
        Supervisor s = supervisor(fleet(60_000, 8, "p1"));
        s.step();
        launcher.last().exit(0);
        s.step();
        s.requestStop();
        ManualReply reply = answered(s, s.request(new ManualRequest.RunNow("p1", "api")));
        assertEquals(ManualReply.Outcome.REFUSED, reply.outcome());
        assertEquals("p1 cannot run now: the runner is stopping; ask again once it runs again", reply.refusal());
        assertTrue(sink.events.stream().noneMatch(e -> e.event().equals("run")), "no run event no session follows");
    }

    @Test
    void runNowOfAPausedProfileIsRefused() {
        Supervisor s = supervisor(fleet(0, 8, "p1"));
        answered(s, s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "x", "api")));
        ManualReply reply = answered(s, s.request(new ManualRequest.RunNow("p1", "api")));
        assertEquals(ManualReply.Outcome.REFUSED, reply.outcome());
        assertTrue(reply.refusal().startsWith("p1 is paused until"), reply.refusal());
    }

    @Test
    void aRestartStaysNeededAtEveryReloadUntilTheRunnerWideBlocksAreAsTheRunnerStartedWith() {
        Supervisor s = supervisor(streak(3, "a"));
        s.step();
        assertEquals(List.of("recovery.maxErrorStreak"), answered(s, s.requestReload(streak(5, "a"))).restartNeededFor(),
                "named, not \"the runner, recovery, browser, http or alerts blocks\"");
        assertTrue(answered(s, s.requestReload(streak(5, "a"))).restartNeeded(),
                "the same file again: the runner still runs with 3");
        assertFalse(answered(s, s.requestReload(streak(3, "a"))).restartNeeded(), "back to what is in force");
    }

    /** The reviewer's 8 → 3 was applied at once (3 children at most), yet the answer said "after a restart". */
    @Test
    void theGlobalLimitIsAppliedAtTheReloadAndNotSaidToNeedARestart() {
        Supervisor s = supervisor(fleet(0, 3, "a", "b", "c"));
        s.step();
        assertEquals(3, launcher.launched.size());
        ReloadSummary summary = answered(s, s.requestReload(fleet(0, 1, "a", "b", "c")));
        assertFalse(summary.restartNeeded(), String.valueOf(summary.restartNeededFor()));
        launcher.launched.forEach(p -> p.exit(0));
        s.step();
        s.step();
        assertEquals(4, launcher.launched.size(), "one at a time from now on");
    }

    /** Its starts named the new pod and its ends the old one, so report booked its failures to a pod gone. */
    @Test
    void aProfileMovedToAnotherPodByAReloadHasAllItsEventsInTheNewOne() {
        Supervisor s = supervisor(TestConfig.builder().globalLimit(8).cooldownMs(0).pod("podA", "a", "b").build());
        s.step();
        ReloadSummary summary = answered(s, s.requestReload(TestConfig.builder().globalLimit(8).cooldownMs(0)
                .pod("podA", "a").pod("podB", "b").build()));
        assertEquals(List.of("b"), summary.changed());
        launcher.launched.forEach(p -> p.exit(1));
        s.step();
        s.step();
        launcher.launched.forEach(p -> p.exit(0));
        s.step();
        List<EventRecord> ofB = sink.events.stream().filter(e -> "b".equals(e.profileId())).toList();
        assertEquals("podB", ofB.get(ofB.size() - 1).pod());
        assertTrue(ofB.stream().filter(e -> e.event().equals("start")).skip(1).allMatch(e -> e.pod().equals("podB")));
        assertTrue(ofB.stream().filter(e -> !e.event().equals("start")).allMatch(e -> e.pod().equals("podB")),
                "every end after the reload names podB: " + ofB.stream().map(e -> e.event() + "@" + e.pod()).toList());
        assertEquals("podB", store.profiles.get("b").pod());
    }

    private static RunnerConfig streak(int maxErrorStreak, String... ids) {
        return TestConfig.builder().globalLimit(8).cooldownMs(0).maxErrorStreak(maxErrorStreak).pod("podA", ids).build();
    }

    @Test
    void reloadAnswersWhatItAddedRemovedAndChanged() {
        Supervisor s = supervisor(fleet(0, 8, "a", "b"));
        s.step();
        ReloadSummary summary = answered(s, s.requestReload(fleet(0, 8, "b", "c")));
        assertEquals(List.of("c"), summary.added());
        assertEquals(List.of("a"), summary.removed());
        assertEquals(List.of(), summary.changed());
        assertFalse(summary.restartNeeded());
        s.step();
        assertNotNull(store.profiles.get("c"));
        assertEquals(ManualReply.Outcome.UNKNOWN_PROFILE,
                answered(s, s.request(new ManualRequest.ResetStreak("a", "api"))).outcome());
    }

    @Test
    void aProfileRemovedAndAddedBackWhileItsSessionStopsStaysInTheFleet() {
        Supervisor s = supervisor(fleet(0, 8, "a", "b"));
        s.step();
        CompletableFuture<ReloadSummary> without = s.requestReload(fleet(0, 8, "b"));
        CompletableFuture<ReloadSummary> back = s.requestReload(fleet(0, 8, "a", "b"));
        s.step();
        assertEquals(List.of("a"), without.join().removed());
        assertEquals(List.of("a"), back.join().added(), "back before it was dropped");
        s.step(); // a's stopped session ends: reason shutdown, and a is not dropped
        s.step();
        assertEquals("shutdown", sink.events.stream().filter(e -> "a".equals(e.profileId()) && e.event().equals("error"))
                .findFirst().orElseThrow().params().get("reason"));
        assertEquals(2, launcher.launched.stream().filter(p -> p.spec.env().get("SR_PROFILE_ID").equals("a")).count(),
                "a runs again");
        assertEquals(ManualReply.Outcome.DONE, answered(s, s.request(new ManualRequest.ResetStreak("a", "api"))).outcome());
    }
}
