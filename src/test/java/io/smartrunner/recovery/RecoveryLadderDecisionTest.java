package io.smartrunner.recovery;

import io.smartrunner.event.EventRecord.RecoveryAttempted.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.recovery.LadderDecision.Cancelled;
import io.smartrunner.recovery.LadderDecision.Escalate;
import io.smartrunner.recovery.LadderDecision.Exhausted;
import io.smartrunner.recovery.LadderDecision.Held;
import io.smartrunner.recovery.LadderDecision.Recovered;
import io.smartrunner.recovery.LadderDecision.RunStep;
import io.smartrunner.recovery.LadderDecision.Stale;
import io.smartrunner.recovery.LadderDecision.Verify;
import io.smartrunner.recovery.LadderDecision.Wait;
import io.smartrunner.testkit.TestConfig;
import org.junit.jupiter.api.Test;

/** The ladder as a pure function: no Supervisor, no threads, the monotonic time passed in. */
class RecoveryLadderDecisionTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS;
    /** Steps a, b, c; retryBackoffMs 30 s; stepTimeoutMs 60 s. */
    private final RecoveryLadder ladder = new RecoveryLadder(TestConfig.builder().steps("a", "b", "c")
            .retryBackoffMs(30_000).stepTimeoutMs(60_000).recoverySettings());

    private LadderDecision decide(LadderDecision previous, LadderInput input, long now) {
        return ladder.decide(previous.episode(), input, now);
    }

    private static LadderInput ok(Episode e) {
        return new LadderInput.Result(e.runNumber(), StepResult.ok("fine"));
    }

    private static LadderInput failed(Episode e, String why) {
        return new LadderInput.Result(e.runNumber(), StepResult.failed(why));
    }

    /** An admitted episode whose first step was started at {@code T0}. */
    private RunStep firstStepStarted() {
        LadderDecision admitted = ladder.decide(Episode.queued("s1", T0), LadderInput.ADMITTED, T0);
        assertEquals(T0, assertInstanceOf(Wait.class, admitted).untilNanos(), "the first step is due at once");
        return assertInstanceOf(RunStep.class, decide(admitted, LadderInput.TICK, T0));
    }

    @Test
    void firstStepRunsOnAdmissionWithItsTimeoutAsDeadline() {
        RunStep run = firstStepStarted();

        assertEquals(0, run.step());
        assertEquals(T0 + 60_000 * MS, run.deadlineNanos());
        assertEquals(1, run.episode().runNumber());
    }

    @Test
    void aQueuedEpisodeWaitsForAdmission() {
        LadderDecision d = ladder.decide(Episode.queued("s1", T0), LadderInput.TICK, T0 + 99_000 * MS);

        assertEquals(Episode.Phase.QUEUED, assertInstanceOf(Wait.class, d).episode().phase());
    }

    @Test
    void stepOkThenCheckHealthyIsRecoveredWithBothDetails() {
        RunStep run = firstStepStarted();
        Verify verify = assertInstanceOf(Verify.class, decide(run, ok(run.episode()), T0 + 100 * MS));
        assertEquals(T0 + 100 * MS + 60_000 * MS, verify.deadlineNanos(), "the check has its own timeout");
        assertEquals(2, verify.episode().runNumber());

        Recovered done = assertInstanceOf(Recovered.class,
                decide(verify, new LadderInput.Result(2, StepResult.ok("healthy")), T0 + 300 * MS));

        assertEquals(new Attempt(0, Result.OK, "fine", "healthy", 300 * MS, false), done.attempt());
        assertEquals(Episode.Phase.OVER, done.episode().phase());
    }

    @Test
    void stepFailsEscalatesAfterExactBackoff() {
        RunStep run = firstStepStarted();

        Escalate up = assertInstanceOf(Escalate.class, decide(run, failed(run.episode(), "exit 3"), T0 + 10 * MS));

        assertEquals(new Attempt(0, Result.FAILED, "exit 3", null, 10 * MS, false), up.attempt());
        assertEquals(T0 + 10 * MS + 30_000 * MS, up.dueNanos());
        assertInstanceOf(Wait.class, decide(up, LadderInput.TICK, up.dueNanos() - 1), "not before the backoff");
        RunStep next = assertInstanceOf(RunStep.class, decide(up, LadderInput.TICK, up.dueNanos()));
        assertEquals(1, next.step());
    }

    /**
     * AdsPower down: a step that could not be tried does not spend the ladder. The same step is
     * due again, the delay doubling from retryBackoffMs up to 5 min; once it can be tried, the
     * ladder goes on as before (a failure climbs to the next step).
     */
    @Test
    void aStepItsProviderKeptFromRunningHoldsTheLadderAtThatStep() {
        LadderDecision d = firstStepStarted();
        long now = T0;
        long[] delaysS = {30, 60, 120, 240, 300, 300};
        for (long delayS : delaysS) {
            Held held = assertInstanceOf(Held.class, decide(d,
                    new LadderInput.Result(d.episode().runNumber(), StepResult.providerUnreachable("refused")), now));
            assertEquals(0, held.episode().step(), "the ladder does not climb");
            assertEquals(now + delayS * 1000 * MS, held.dueNanos());
            assertTrue(held.attempt().infrastructure());
            assertTrue(held.attempt().stepDetail().startsWith("refused (the browser provider could not be reached:"
                    + " this step is tried again in " + delayS + " s"), held.attempt().stepDetail());
            now = held.dueNanos();
            d = assertInstanceOf(RunStep.class, decide(held, LadderInput.TICK, now));
            assertEquals(0, ((RunStep) d).step());
        }

        Escalate up = assertInstanceOf(Escalate.class, decide(d, failed(d.episode(), "exit 3"), now + MS));
        assertEquals(1, up.episode().step());
        assertEquals(now + MS + 30_000 * MS, up.dueNanos(), "back to retryBackoffMs once the step ran");
        RunStep next = assertInstanceOf(RunStep.class, decide(up, LadderInput.TICK, up.dueNanos()));
        Held again = assertInstanceOf(Held.class, decide(next,
                new LadderInput.Result(next.episode().runNumber(), StepResult.providerUnreachable("refused")),
                up.dueNanos()));
        assertEquals(up.dueNanos() + 30_000 * MS, again.dueNanos(), "a new step's holds start from retryBackoffMs");
    }

    @Test
    void aHeldStepIsRetriedAtLeastASecondApartWhenTheBackoffIsZero() {
        RecoveryLadder noBackoff = new RecoveryLadder(TestConfig.builder().steps("a", "b")
                .retryBackoffMs(0).stepTimeoutMs(60_000).recoverySettings());
        LadderDecision admitted = noBackoff.decide(Episode.queued("s1", T0), LadderInput.ADMITTED, T0);
        RunStep run = assertInstanceOf(RunStep.class, noBackoff.decide(admitted.episode(), LadderInput.TICK, T0));

        Held held = assertInstanceOf(Held.class, noBackoff.decide(run.episode(),
                new LadderInput.Result(run.episode().runNumber(), StepResult.providerUnreachable("refused")), T0));

        assertEquals(T0 + 1000 * MS, held.dueNanos(), "each try is an event: not a loop");
    }

    @Test
    void checkUnhealthyEscalatesWithTheStepsDetail() {
        RunStep run = firstStepStarted();
        LadderDecision verify = decide(run, ok(run.episode()), T0);

        Escalate up = assertInstanceOf(Escalate.class, decide(verify, failed(verify.episode(), "blank page"), T0 + MS));

        assertEquals(new Attempt(0, Result.UNHEALTHY, "fine", "blank page", MS, false), up.attempt());
        assertEquals(1, up.episode().step());
    }

    @Test
    void lastStepFailingExhaustsTheLadder() {
        LadderDecision d = firstStepStarted();
        long now = T0;
        for (int step = 0; step < 2; step++) {
            Escalate up = assertInstanceOf(Escalate.class, decide(d, failed(d.episode(), "no"), now));
            now = up.dueNanos();
            d = decide(up, LadderInput.TICK, now);
        }
        assertEquals(2, ((RunStep) d).step());

        Exhausted out = assertInstanceOf(Exhausted.class, decide(d, failed(d.episode(), "still no"), now + MS));

        assertEquals(3, out.stepsUsed());
        assertEquals(2, out.attempt().step());
        assertEquals(now + MS - T0, out.durationNanos(), "measured from the episode's start");
        assertEquals(Episode.Phase.OVER, out.episode().phase());
    }

    @Test
    void runPastItsTimeoutFailsTimedOutAndItsLateResultIsDropped() {
        RunStep run = firstStepStarted();
        assertInstanceOf(Wait.class, decide(run, LadderInput.TICK, run.deadlineNanos() - 1));

        Escalate up = assertInstanceOf(Escalate.class, decide(run, LadderInput.TICK, run.deadlineNanos()));

        assertTrue(up.attempt().timedOut(), "the caller stops the run");
        assertEquals(Result.FAILED, up.attempt().outcome());
        assertEquals("timed out after stepTimeoutMs 60000", up.attempt().stepDetail());
        assertInstanceOf(Stale.class, decide(up, ok(run.episode()), run.deadlineNanos() + MS),
                "the timed-out run's late success counts for nothing");
    }

    @Test
    void checkPastItsTimeoutIsUnhealthy() {
        RunStep run = firstStepStarted();
        Verify verify = assertInstanceOf(Verify.class, decide(run, ok(run.episode()), T0));

        Escalate up = assertInstanceOf(Escalate.class, decide(verify, LadderInput.TICK, verify.deadlineNanos()));

        assertEquals(Result.UNHEALTHY, up.attempt().outcome());
        assertEquals("timed out after stepTimeoutMs 60000", up.attempt().verifyDetail());
    }

    @Test
    void cancellingARunningEpisodeStopsItsRunAndDropsItsLateResult() {
        RunStep run = firstStepStarted();

        Cancelled c = assertInstanceOf(Cancelled.class, decide(run, LadderInput.CANCEL, T0 + MS));

        assertTrue(c.stopRun());
        assertEquals(Episode.Phase.OVER, c.episode().phase());
        assertInstanceOf(Stale.class, decide(c, ok(run.episode()), T0 + 2 * MS), "no recover event after a cancel");
        assertInstanceOf(Stale.class, decide(c, LadderInput.TICK, T0 + 999_000 * MS), "and no further step");
    }

    @Test
    void cancellingAWaitingEpisodeHasNoRunToStop() {
        RunStep run = firstStepStarted();
        LadderDecision up = decide(run, failed(run.episode(), "no"), T0);

        Cancelled c = assertInstanceOf(Cancelled.class, decide(up, LadderInput.CANCEL, T0));

        assertFalse(c.stopRun());
    }

    @Test
    void aResultOfAnOlderRunIsStale() {
        RunStep run = firstStepStarted();
        LadderDecision verify = decide(run, ok(run.episode()), T0);

        LadderDecision d = decide(verify, new LadderInput.Result(run.episode().runNumber(), StepResult.ok("dup")), T0);

        assertInstanceOf(Stale.class, d);
    }
}
