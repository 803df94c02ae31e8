package io.smartrunner.recovery;

/**
 * What {@link RecoveryLadder#decide} asks of its caller; {@link #episode()} is the episode's new
 * state either way.
 */
public sealed interface LadderDecision {
    Episode episode();

    /** Nothing to do before {@code untilNanos} (a step's due time or a run's timeout). */
    record Wait(Episode episode, long untilNanos) implements LadderDecision {
    }

    /** Start step {@code step} (0-based) as run {@code episode.runNumber()}; it times out at {@code deadlineNanos}. */
    record RunStep(Episode episode, int step, long deadlineNanos) implements LadderDecision {
    }

    /** The step succeeded: start the check as run {@code episode.runNumber()}; it times out at {@code deadlineNanos}. */
    record Verify(Episode episode, long deadlineNanos) implements LadderDecision {
    }

    /** The attempt did not make the profile healthy: report it; the next step is due at {@code dueNanos}. */
    record Escalate(Episode episode, Attempt attempt, long dueNanos) implements LadderDecision {
    }

    /**
     * The step could not be tried (its provider could not be reached): report the attempt; the
     * same step is due again at {@code dueNanos}, and the ladder does not climb meanwhile.
     */
    record Held(Episode episode, Attempt attempt, long dueNanos) implements LadderDecision {
    }

    /** The profile verified healthy: report the attempt; the episode is over. */
    record Recovered(Episode episode, Attempt attempt) implements LadderDecision {
    }

    /**
     * The last step's attempt failed too: report it, then the exhaustion ({@code stepsUsed},
     * {@code durationNanos} since the episode started); the episode is over.
     */
    record Exhausted(Episode episode, Attempt attempt, int stepsUsed, long durationNanos) implements LadderDecision {
    }

    /** The episode stopped on request; stop its run if {@code stopRun}. No recover event follows. */
    record Cancelled(Episode episode, boolean stopRun) implements LadderDecision {
    }

    /** A result nobody waits for (a run that timed out or was cancelled, or an episode that is over): drop it. */
    record Stale(Episode episode) implements LadderDecision {
    }
}
