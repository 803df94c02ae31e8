package io.smartrunner.recovery;

import java.util.concurrent.CompletableFuture;

/** A step or verification in progress. Thread-safe. */
public interface RunningStep {
    /** Completes with the result; never exceptionally (failures are results). */
    CompletableFuture<StepResult> result();

    /**
     * Stops it (a command's whole process tree); {@link #result()} then completes once nothing of
     * it is left running. Idempotent.
     */
    void cancel();

    /** An already finished step. */
    static RunningStep done(StepResult result) {
        CompletableFuture<StepResult> f = CompletableFuture.completedFuture(result);
        return new RunningStep() {
            @Override
            public CompletableFuture<StepResult> result() {
                return f;
            }

            @Override
            public void cancel() {
            }
        };
    }
}
