package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RecoverySettings.AdaptiveSettings;
import io.smartrunner.config.RecoverySettings.Strategy;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.store.LadderStat;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** recovery.strategy adaptive through the supervisor: manual clock, fake sessions and steps, seeded Random. */
class AdaptiveRecoveryTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeRecoveryActions actions = new FakeRecoveryActions();

    private Supervisor supervisor(Strategy strategy) {
        return supervisor(TestConfig.builder().pod("podA", "p1").recovery(recovery(strategy)).build());
    }

    private static RecoverySettings recovery(Strategy strategy) {
        return TestConfig.builder().maxErrorStreak(100).retryBackoffMs(0).steps("a", "b", "c")
                .verify(new VerifyConfig.Command(List.of("check"))).recoverySettings()
                .withStrategy(strategy, new AdaptiveSettings(0.6, 0.0, 0.9));
    }

    private Supervisor supervisor(RunnerConfig c) {
        Supervisor s = new Supervisor(c, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(1), Path.of("target/test-logs"), e -> { }, line -> { }, Runnable::run, actions, null));
        s.start();
        s.step();
        return s;
    }

    /** p1's running session fails with {@code stderr}; its episode's first step starts. */
    private void failSession(Supervisor s, String stderr) {
        failSession(s, "p1", stderr);
    }

    private void failSession(Supervisor s, String profileId, String stderr) {
        List<FakeLauncher.FakeProcess> sessions = launcher.forProfile(profileId);
        FakeLauncher.FakeProcess last = sessions.get(sessions.size() - 1);
        last.stderr = stderr;
        last.exit(1);
        s.step();
    }

    /** p1's running session succeeds: the recovery before it held. */
    private void succeedSession(Supervisor s) {
        List<FakeLauncher.FakeProcess> sessions = launcher.forProfile("p1");
        sessions.get(sessions.size() - 1).exit(0);
        s.step();
    }

    /** One episode whose steps before {@code fixing} fail; {@code fixing} and the check pass. */
    private void fixedBy(Supervisor s, String fixing, String stderr) {
        fixedBy(s, "p1", fixing, stderr);
    }

    private void fixedBy(Supervisor s, String profileId, String fixing, String stderr) {
        failSession(s, profileId, stderr);
        while (!actions.last().name.equals("step:" + fixing)) {
            answer(s, false);
        }
        answer(s, true);
        answer(s, true);
    }

    private LadderStat row(String step) {
        return store.loadLadderStats().stream().filter(r -> r.step().equals(step)).findFirst().orElse(null);
    }

    /** Answers the running step or check; a further step, if due, starts. */
    private void answer(Supervisor s, boolean ok) {
        if (ok) {
            actions.last().ok();
        } else {
            actions.last().fail();
        }
        s.step();
        s.step();
    }

    /** One episode for the failure only step c fixes: whatever steps run before c fail. */
    private void onlyCFixes(Supervisor s, String stderr) {
        int before = actions.runs.size();
        fixedBy(s, "c", stderr);
        assertTrue(actions.runs.size() > before);
    }

    private List<EventRecord> recovers() {
        return sink.events.stream().filter(e -> e.event().equals("recover")).toList();
    }

    @Test
    void afterOneEpisodeTheSameFailureStartsAtTheStepThatFixedIt() {
        Supervisor s = supervisor(Strategy.ADAPTIVE);

        onlyCFixes(s, "worker 4242: login failed at /tmp/run-1/page\n");
        assertEquals(List.of("step:a", "step:b", "step:c", "verify"), actions.names(), "nothing known: step 1 first");
        succeedSession(s); // the recovery held

        int before = actions.runs.size();
        onlyCFixes(s, "worker 977: login failed at /tmp/run-2/page\n");

        assertEquals(List.of("step:c", "verify"), actions.names().subList(before, actions.runs.size()),
                "the same signature (other pid, other path) starts at step 3");
        EventRecord last = recovers().get(recovers().size() - 1);
        assertEquals("ok", last.outcome());
        assertEquals("adaptive", last.params().get("strategy"));
        assertEquals(3, last.params().get("startStep"));
        String signature = (String) last.params().get("signature");
        assertTrue(signature.startsWith("exit/1/"), signature);
        assertEquals(1, recovers().get(0).params().get("startStep"), "the first episode started at step 1");
        assertFalse(store.profiles.get("p1").needsRecovery());
    }

    @Test
    void aDifferentFailureStillClimbsFromStepOne() {
        Supervisor s = supervisor(Strategy.ADAPTIVE);
        onlyCFixes(s, "login failed\n");
        int before = actions.runs.size();

        failSession(s, "out of memory\n");

        assertEquals("step:a", actions.names().get(before));
    }

    /**
     * A step that failed because its browser provider could not be reached is said so in its event
     * ({@code class: infrastructure}) and not learned from: it was never tried.
     */
    @Test
    void aStepItsProviderKeptFromRunningIsNotLearnedFrom() {
        Supervisor s = supervisor(Strategy.ADAPTIVE);
        failSession(s, "login failed\n");
        actions.last().providerDown();
        s.step();
        s.step();

        EventRecord first = recovers().get(0);
        assertEquals(List.of("failed", "infrastructure"), List.of(first.outcome(), first.params().get("class")));
        assertEquals(List.of(), store.loadLadderStats(), "nothing learned of step a");
        time.advanceMillis(1000); // a held step is tried again at least 1 s later (retryBackoffMs is 0 here)
        s.step();
        answer(s, true); // step a, held for its provider, is tried again and heals
        answer(s, true);
        assertEquals("step:a", actions.names().get(actions.names().size() - 2), "the ladder did not climb");
        succeedSession(s);
        assertEquals(List.of("a"), store.loadLadderStats().stream().map(LadderStat::step).toList());
        assertEquals(null, recovers().get(1).params().get("class"), "a step that ran has no class");
    }

    @Test
    void statisticsArePersistedPerSignatureAndStep() {
        Supervisor s = supervisor(Strategy.ADAPTIVE);
        onlyCFixes(s, "login failed\n");
        assertNull(row("c"), "the step that recovered waits for the next session to tell whether it held");
        succeedSession(s);

        List<LadderStat> rows = store.loadLadderStats();

        assertEquals(List.of("a", "b", "c"), rows.stream().map(LadderStat::step).toList());
        assertEquals(List.of(0.0, 0.0, 1.0), rows.stream().map(LadderStat::successRate).toList());
        assertTrue(rows.stream().allMatch(r -> "exit".equals(r.sampleReason()) && "1".equals(r.sampleExit())));
    }

    /**
     * The check passed after step b, but the next session failed again the same way (reviewer R24:
     * the default browser check looks at the browser, not the worker): b did not fix it. It counts as
     * b's failure, the next episode climbs above it, and once c's recovery held the same failure
     * starts at c (the statistics), not at b (where the check's word alone would have started it).
     */
    @Test
    void aRecoveryTheNextSessionUndoesCountsAgainstItsStep() {
        Supervisor s = supervisor(Strategy.ADAPTIVE);
        fixedBy(s, "b", "login failed\n");
        int before = actions.runs.size();

        failSession(s, "login failed\n"); // the same failure: a relapse

        assertEquals(List.of(1.0, 0.0), List.of(row("b").attempts(), row("b").successes()), "counted a failure of b");
        assertEquals("step:c", actions.names().get(before), "the ladder climbs above the step that did not hold");
        answer(s, true);
        answer(s, true);
        succeedSession(s); // c's recovery held
        assertEquals(1.0, row("c").successRate());
        before = actions.runs.size();

        failSession(s, "login failed\n"); // later, after a session that held: no relapse, the statistics choose

        assertEquals("step:c", actions.names().get(before), "the step whose recovery held, not b (where it would "
                + "start had the check's word been taken)");
    }

    /**
     * A session that fails again the same way right after a recovery: the next episode starts above
     * the step that recovered it, with either strategy, and its events say so; after the last step
     * did not hold either, the whole ladder again.
     */
    @Test
    void theLadderClimbsAcrossARelapse() {
        Supervisor s = supervisor(Strategy.FIXED);
        fixedBy(s, "a", "login failed\n");

        for (String expected : List.of("b", "c")) {
            int before = actions.runs.size();
            failSession(s, "login failed\n");
            assertEquals("step:" + expected, actions.names().get(before));
            answer(s, true);
            answer(s, true);
            EventRecord ok = recovers().get(recovers().size() - 1);
            assertEquals(List.of("fixed", expected.equals("b") ? 2 : 3, expected.equals("b") ? "a" : "b"),
                    List.of(ok.params().get("strategy"), ok.params().get("startStep"), ok.params().get("relapseOf")));
        }
        int before = actions.runs.size();

        failSession(s, "login failed\n"); // c did not hold either

        assertEquals("step:a", actions.names().get(before), "nothing above c: the whole ladder");
        answer(s, true);
        answer(s, true);
        EventRecord ok = recovers().get(recovers().size() - 1);
        assertFalse(ok.params().containsKey("relapseOf"));
        assertFalse(ok.params().containsKey("startStep"));
    }

    /** A relapse that pauses its profile: after the pause the same failure starts afresh at step 1. */
    @Test
    void aPauseEndsAClimb() {
        RunnerConfig c = TestConfig.builder().maxErrorStreak(1).retryBackoffMs(0).pod("podA", "p1")
                .recovery(TestConfig.builder().maxErrorStreak(1).retryBackoffMs(0).steps("a", "b", "c")
                        .verify(new VerifyConfig.Command(List.of("check"))).recoverySettings()).build();
        Supervisor s = supervisor(c);
        fixedBy(s, "a", "login failed\n");
        failSession(s, "login failed\n"); // a relapse, and two in a row: paused
        assertTrue(store.profiles.get("p1").paused());
        s.request(new ManualRequest.Unpause("p1", "cli"));
        s.step();
        s.step();
        int before = actions.runs.size();

        failSession(s, "login failed\n");

        assertEquals("step:a", actions.names().get(before), "not b: the pause ended the climb");
    }

    /**
     * A relapse whose session a pause by hand caught while it was being stopped for its timeout:
     * no episode begins, and the session after the pause, which held, ends the climb.
     */
    @Test
    void aSessionThatHeldEndsAClimbNoEpisodeTookUp() {
        RunnerConfig c = TestConfig.builder().timeoutMs(1000).cooldownMs(0).pod("podA", "p1")
                .recovery(recovery(Strategy.FIXED)).build();
        Supervisor s = supervisor(c);
        time.advanceMillis(1001);
        s.step(); // timed out: stopped, failed, its episode begins at a
        s.step();
        s.step();
        assertEquals(List.of("step:a"), actions.names());
        answer(s, true);
        answer(s, true);
        List<FakeLauncher.FakeProcess> sessions = launcher.forProfile("p1");
        sessions.get(sessions.size() - 1).onStop = () -> s.request(new ManualRequest.Pause("p1",
                java.time.Duration.ofHours(1), "maintenance", "cli"));
        time.advanceMillis(1001);
        s.step(); // times out again (a relapse) while the pause comes
        s.step();
        s.step();
        assertTrue(store.profiles.get("p1").paused());
        assertEquals(2, actions.runs.size(), "no episode for the relapse: the profile is paused");
        s.request(new ManualRequest.Unpause("p1", "cli"));
        s.step();
        s.step();
        succeedSession(s); // held
        int before = actions.runs.size();

        time.advanceMillis(1001);
        s.step(); // the same timeout again
        s.step();
        s.step();

        assertEquals("step:a", actions.names().get(before), "not b: a session held since the relapse");
    }

    /**
     * The adaptive strategy already starts above the step that relapsed (another profile's
     * recovery by c held meanwhile): there it starts, and no climb is said.
     */
    @Test
    void anAdaptiveStartAboveTheRelapsedStepStands() {
        Supervisor s = supervisor(TestConfig.builder().pod("podA", "p1", "p2").recovery(recovery(Strategy.ADAPTIVE))
                .build());
        fixedBy(s, "p2", "a", "login failed\n"); // p2 recovered by a, its next session not ended yet
        onlyCFixes(s, "login failed\n"); // p1: a and b fail, c recovers
        succeedSession(s); // p1's recovery by c held: c is where this failure starts
        int before = actions.runs.size();

        failSession(s, "p2", "login failed\n"); // p2's relapse of a: a climb would start at b

        assertEquals("step:c", actions.names().get(before));
        answer(s, true);
        answer(s, true);
        EventRecord ok = recovers().get(recovers().size() - 1);
        assertEquals(List.of("p2", 3), List.of(ok.profileId(), ok.params().get("startStep")));
        assertFalse(ok.params().containsKey("relapseOf"));
    }

    @Test
    void aDifferentFailureAfterARecoveryStartsAtStepOne() {
        Supervisor s = supervisor(Strategy.FIXED);
        fixedBy(s, "a", "login failed\n");
        int before = actions.runs.size();

        failSession(s, "out of memory\n");

        assertEquals("step:a", actions.names().get(before));
    }

    @Test
    void aDifferentFailureAfterARecoveryCountsTheStepAsHavingHeld() {
        Supervisor s = supervisor(Strategy.ADAPTIVE);
        fixedBy(s, "b", "login failed\n");

        failSession(s, "out of memory\n");

        assertEquals(1.0, row("b").successRate(), "b fixed the login failure; a new one came");
    }

    /**
     * Relapses that an opening breaker then forgives were the outage's, not the step's: each counts
     * as the success the check said, whichever profile's, however many, and also the one whose
     * failure paused its profile (the pause's cancel of the episode does not lose it).
     */
    @Test
    void relapsesTheBreakerForgivesCountAsSuccesses() {
        List<String> ids = java.util.stream.IntStream.range(1, 11).mapToObj(i -> "p" + i).toList();
        RunnerConfig c = TestConfig.builder().globalLimit(10).podLimit(10).cooldownMs(0).pod("podA", ids)
                .recovery(TestConfig.builder().maxErrorStreak(3).retryBackoffMs(0).steps("a", "b", "c")
                        .verify(new VerifyConfig.Command(List.of("check"))).recoverySettings()
                        .withStrategy(Strategy.ADAPTIVE, new AdaptiveSettings(0.6, 0.0, 0.9))).build();
        Supervisor s = supervisor(new RunnerConfig(c.source(), c.runner(), c.session(), c.recovery(), c.browser(),
                c.http(), c.alerts(), c.pods(), c.secretValues(),
                new io.smartrunner.config.BreakerSettings(true, 0.5, 60_000, 5, 30_000, 0.1)));
        fixedBy(s, "p1", "a", "site down\n");
        for (String climbed : List.of("b", "c")) { // each relapse: the next episode starts a step higher
            failSession(s, "p1", "site down\n");
            assertEquals("step:" + climbed, actions.last().name);
            answer(s, true);
            answer(s, true);
        }
        failSession(s, "p1", "site down\n"); // its third relapse: four in a row, paused
        fixedBy(s, "p2", "a", "site down\n");
        failSession(s, "p2", "site down\n"); // p2's relapse
        assertTrue(store.profiles.get("p1").paused(), "p1 paused at its fourth failure in a row");
        for (String step : List.of("a", "b", "c")) {
            assertEquals(0.0, row(step).successes(), "four relapses counted as their steps' failures: " + step);
        }

        for (String other : ids.subList(2, 10)) { // the rest of the pod fails too: the breaker opens
            failSession(s, other, "site down\n");
        }

        assertEquals(1, sink.events.stream().filter(e -> e instanceof EventRecord.BreakerOpened).count(),
                "the breaker opened");
        assertFalse(store.profiles.get("p1").paused(), "p1 unpaused by the breaker");
        for (String step : List.of("a", "b", "c")) {
            assertEquals(row(step).attempts(), row(step).successes(), 1e-12, "every forgiven relapse a success: " + step);
        }
    }

    /** A recovery whose profile a reload removed is not judged by a session after it comes back. */
    @Test
    void aRecoveryOfAProfileARemovalForgotIsNotCounted() {
        RunnerConfig both = TestConfig.builder().pod("podA", "p1", "p2").recovery(recovery(Strategy.ADAPTIVE)).build();
        Supervisor s = supervisor(both);
        fixedBy(s, "b", "login failed\n");
        int p1Sessions = launcher.forProfile("p1").size();

        s.requestReload(TestConfig.builder().pod("podA", "p2").recovery(recovery(Strategy.ADAPTIVE)).build());
        s.step();
        launcher.forProfile("p1").forEach(p -> p.exit(143)); // its session stopped for the removal
        s.step();
        s.requestReload(both);
        s.step();
        s.step();
        assertTrue(launcher.forProfile("p1").size() > p1Sessions, "p1 back and running");

        failSession(s, "login failed\n");

        assertNull(row("b"), "nothing counted for b: the session that would tell came after the removal");
    }

    @Test
    void theFixedLadderLearnsAndItsEventsSayOnlyItsStrategy() {
        Supervisor s = supervisor(Strategy.FIXED);
        onlyCFixes(s, "login failed\n");
        int before = actions.runs.size();

        onlyCFixes(s, "login failed\n");

        assertEquals("step:a", actions.names().get(before));
        assertEquals(3, store.loadLadderStats().size(), "counted for a later switch to adaptive");
        EventRecord e = recovers().get(0);
        assertEquals("fixed", e.params().get("strategy"));
        assertFalse(e.params().containsKey("signature"));
        assertFalse(e.params().containsKey("startStep"));
    }
}
