package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recovery ladder driven tick by tick: manual clock, fake launcher, fake steps. */
class RecoveryLadderTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final VerifyConfig CHECK = new VerifyConfig.Command(List.of("check"));
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeRecoveryActions actions = new FakeRecoveryActions();

    private Supervisor supervisor(RecoverySettings recovery, Map<String, List<String>> pods, int global) {
        RunnerConfig c = TestConfig.builder().globalLimit(global).podLimit(global).recovery(recovery).pods(pods)
                .build();
        Supervisor s = new Supervisor(c, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(1), Path.of("target/test-logs"), e -> { }, line -> { }, Runnable::run, actions, null));
        s.start();
        return s;
    }

    private Supervisor oneProfile(RecoverySettings recovery) {
        return supervisor(recovery, Map.of("podA", List.of("p1")), 8);
    }

    private List<EventRecord> recovers() {
        return sink.events.stream().filter(e -> e.event().equals("recover")).toList();
    }

    private List<String> outcomes() {
        return recovers().stream().map(EventRecord::outcome).toList();
    }

    /** Fails p1's current session and runs the step that notices it. */
    private void failSession(Supervisor s) {
        launcher.forProfile("p1").get(launcher.forProfile("p1").size() - 1).exit(1);
        s.step();
    }

    @Test
    void escalatesInOrderWithExactBackoffAndEndsHealthy() {
        Supervisor s = oneProfile(TestConfig.builder().maxErrorStreak(10).steps("a", "b", "c").verify(CHECK)
                .recoverySettings());
        s.step();
        failSession(s);
        assertEquals(List.of("step:a"), actions.names(), "the first step starts at once");
        actions.last().ok();
        s.step();
        actions.last().fail();
        s.step();
        assertEquals(List.of("unhealthy"), outcomes());

        time.advanceMillis(29_999);
        s.step();
        assertEquals(2, actions.runs.size(), "no step before retryBackoffMs has passed");
        time.advanceMillis(1);
        s.step();
        assertEquals("step:b", actions.last().name);
        actions.last().ok();
        s.step();
        actions.last().fail();
        s.step();
        time.advanceMillis(30_000);
        s.step();
        assertEquals("step:c", actions.last().name);
        actions.last().ok();
        s.step();
        assertEquals(1, launcher.forProfile("p1").size(), "no session while the episode runs");
        actions.last().ok();
        s.step();

        assertEquals(List.of("unhealthy", "unhealthy", "ok"), outcomes());
        assertEquals(List.of(1, 2, 3), recovers().stream().map(e -> e.params().get("step")).toList());
        assertEquals(List.of("a", "b", "c"), recovers().stream().map(e -> e.params().get("action")).toList());
        String failed = launcher.forProfile("p1").get(0).spec.sessionId();
        assertTrue(recovers().stream().allMatch(e -> failed.equals(e.sessionId())), "events carry the failed session");
        assertFalse(store.profiles.get("p1").needsRecovery());
        assertEquals(1, store.profiles.get("p1").errorStreak(), "recovery does not reset the streak; a success does");
        assertEquals(2, launcher.forProfile("p1").size(), "healthy again: back in rotation");
    }

    @Test
    void failedStepsEscalateUpToMaxStepsThenExhaustedAndBackInRotation() {
        Supervisor s = oneProfile(TestConfig.builder().maxErrorStreak(10).maxRecoverySteps(2).retryBackoffMs(1_000)
                .steps("a", "b", "c").verify(CHECK).recoverySettings());
        s.step();
        failSession(s);
        actions.last().fail();
        s.step();
        time.advanceMillis(1_000);
        s.step();
        actions.last().fail();
        s.step();

        assertEquals(List.of("step:a", "step:b"), actions.names(), "maxRecoverySteps 2 of 3");
        assertEquals(List.of("failed", "failed", "exhausted"), outcomes());
        assertEquals(2, launcher.forProfile("p1").size(), "an exhausted profile returns to rotation");
        assertEquals(1, store.profiles.get("p1").errorStreak());
        assertTrue(store.profiles.get("p1").needsRecovery(), "not healthy yet");
    }

    @Test
    void stepPastItsTimeoutFailsAndIsCancelled() {
        Supervisor s = oneProfile(TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).steps("a", "b")
                .verify(CHECK).recoverySettings());
        s.step();
        failSession(s);
        FakeRecoveryActions.FakeRun stuck = actions.last();
        time.advanceMillis(59_999);
        s.step();
        assertFalse(stuck.cancelled);
        time.advanceMillis(1);
        s.step();
        assertTrue(stuck.cancelled);
        assertEquals("failed", recovers().get(0).outcome());
        assertTrue(((String) recovers().get(0).params().get("message")).contains("timed out"));
        assertEquals("step:b", actions.last().name, "the ladder escalates");
    }

    @Test
    void pauseMidLadderCancelsTheEpisodeAndNoRecoverEventFollows() {
        Supervisor s = oneProfile(TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).steps("a", "b")
                .verify(CHECK).recoverySettings());
        s.step();
        failSession(s);
        FakeRecoveryActions.FakeRun running = actions.last();
        s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "maintenance", "test"));
        s.step();
        assertTrue(running.cancelled, "the running step is stopped");
        time.advanceMillis(120_000);
        s.step();
        List<String> names = sink.names("p1");
        assertEquals("pause", names.get(names.size() - 1), "nothing after the pause: " + names);
        assertTrue(recovers().isEmpty());
        assertEquals(1, actions.runs.size());
    }

    @Test
    void recoveryTakesNoSessionSlot() {
        Supervisor s = supervisor(TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).steps("slow")
                .verify(CHECK).recoverySettings(),
                Map.of("podA", List.of("p1", "p2")), 1);
        s.step();
        assertEquals(1, launcher.launched.size(), "global limit 1");
        failSession(s);
        assertEquals(List.of("step:slow"), actions.names(), "p1 is recovering...");
        assertEquals(1, launcher.forProfile("p2").size(), "...while p2 takes the only session slot");
    }

    @Test
    void shutdownCancelsARunningStepAndWaitsForIt() {
        Supervisor s = oneProfile(TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).steps("a").verify(CHECK)
                .recoverySettings());
        s.step();
        failSession(s);
        FakeRecoveryActions.FakeRun running = actions.last();
        s.requestStop();
        s.step();
        s.step();
        assertTrue(running.cancelled);
        assertTrue(recovers().isEmpty(), "a cancelled step records nothing");
    }

    @Test
    void reloadThatRemovesAProfileCancelsItsEpisodeAndDropsIt() {
        RecoverySettings ladder = TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).steps("a", "b")
                .verify(CHECK).recoverySettings();
        Supervisor s = supervisor(ladder, Map.of("podA", List.of("p1", "p2")), 8);
        s.step();
        failSession(s);
        FakeRecoveryActions.FakeRun running = actions.last();
        s.requestReload(TestConfig.builder().recovery(ladder).pod("podA", "p2", "p3").build());
        s.step();
        assertTrue(running.cancelled, "the episode's running step is stopped");
        time.advanceMillis(120_000);
        s.step();
        assertTrue(recovers().isEmpty(), "no recover event after the profile was removed");
        assertEquals(1, launcher.forProfile("p1").size(), "p1 runs no more sessions");
        assertEquals(1, launcher.forProfile("p3").size(), "the added profile starts");
    }

    @Test
    void reloadThatRemovesARunningProfileStopsItsSessionWithoutCountingIt() {
        RecoverySettings ladder = TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).verify(CHECK)
                .recoverySettings();
        Supervisor s = supervisor(ladder, Map.of("podA", List.of("p1", "p2")), 8);
        s.step();
        s.requestReload(TestConfig.builder().recovery(ladder).pod("podA", "p2").build());
        s.step();
        s.step();
        assertTrue(launcher.forProfile("p1").get(0).stop != null, "its session tree is stopped");
        EventRecord end = sink.events.stream().filter(e -> "p1".equals(e.profileId()) && e.event().equals("error"))
                .findFirst().orElseThrow();
        assertEquals("shutdown", end.params().get("reason"));
        EventRecord reloaded = sink.events.stream().filter(e -> e.event().equals("reload")).findFirst().orElseThrow();
        assertEquals("p1", reloaded.params().get("removedIds"), "the reload that stopped it is in the log");
        assertTrue(sink.events.indexOf(reloaded) < sink.events.indexOf(end), "before the stop it caused");
        assertEquals(0, store.profiles.get("p1").errorStreak());
        assertEquals(1, launcher.forProfile("p1").size());
    }

    @Test
    void emptyLadderStartsNoEpisode() {
        Supervisor s = oneProfile(TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).verify(CHECK)
                .recoverySettings());
        s.step();
        failSession(s);
        assertTrue(actions.runs.isEmpty());
        assertEquals(2, launcher.forProfile("p1").size(), "straight back to rotation after the cooldown");
    }

    @Test
    void twoHundredProfilesStuckInRecoveryDoNotSlowAHealthyProfile() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add("sick" + i);
        }
        ids.add("healthy");
        Supervisor s = supervisor(TestConfig.builder().maxErrorStreak(1000).steps("slow").verify(CHECK)
                .recoverySettings(),
                Map.of("podA", ids), 300);
        for (int turn = 0; turn * StartPass.STARTS_PER_TURN < ids.size(); turn++) {
            s.step(); // a turn starts a slice of them
        }
        launcher.launched.stream().filter(p -> !p.spec.env().get("SR_PROFILE_ID").equals("healthy"))
                .forEach(p -> p.exit(1));
        s.step();
        assertEquals(4, actions.runs.size(), "recovery.concurrency bounds the episodes that run");
        int healthyRuns = 0;
        for (int i = 0; i < 50; i++) {
            FakeLauncher.FakeProcess h = launcher.forProfile("healthy").get(healthyRuns);
            h.exit(0);
            time.advanceMillis(100);
            s.step();
            healthyRuns++;
            assertEquals(healthyRuns + 1, launcher.forProfile("healthy").size(), "a new session every tick");
        }
        assertTrue(actions.runs.stream().noneMatch(r -> r.ctx.profile().id().equals("healthy")));
    }

    @Test
    void episodeInterruptedByARestartStartsAgainFromStepOne() {
        store.profiles.put("p1", new ProfileState("p1", "podA", 2, false, true, false, null, "failed-session", "exit",
                T0, T0, 0, null));
        Supervisor s = oneProfile(TestConfig.builder().maxErrorStreak(10).retryBackoffMs(0).steps("a", "b")
                .verify(CHECK).recoverySettings());
        s.step();
        assertEquals(List.of("step:a"), actions.names());
        assertEquals("failed-session", actions.last().ctx.sessionId());
        assertTrue(launcher.launched.isEmpty(), "no session while it recovers");
    }
}
