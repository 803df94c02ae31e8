package io.smartrunner.recovery;

/** What {@link RecoveryLadder#decide} is asked about. */
public sealed interface LadderInput {
    /** The episode got a slot (recovery.concurrency): its first step is due. */
    record Admitted() implements LadderInput {
    }

    /** Time passed: a due step, or a run past its timeout. */
    record Tick() implements LadderInput {
    }

    /** A step or check finished; {@code runNumber} says which run it was. */
    record Result(int runNumber, StepResult result) implements LadderInput {
    }

    /** The episode is to stop (pause, reload, shutdown). */
    record Cancel() implements LadderInput {
    }

    LadderInput ADMITTED = new Admitted();
    LadderInput TICK = new Tick();
    LadderInput CANCEL = new Cancel();
}
