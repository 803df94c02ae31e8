package io.smartrunner.recovery;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.StepConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ladder's rules as pure functions: which step comes next, when it is due (a computed
 * deadline on the monotonic clock, never a sleep), and when an episode is exhausted.
 */
public final class RecoveryLadder {
    private final List<StepConfig> steps;
    private final long backoffNanos;

    public RecoveryLadder(RecoverySettings settings) {
        int max = Math.min(settings.maxRecoverySteps(), settings.steps().size());
        this.steps = List.copyOf(settings.steps().subList(0, max));
        this.backoffNanos = TimeUnit.MILLISECONDS.toNanos(settings.retryBackoffMs());
    }

    /** No steps (or maxRecoverySteps 0): failures start no episode. */
    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** How many steps an episode may use. */
    public int size() {
        return steps.size();
    }

    /** The step at a 0-based index. */
    public StepConfig step(int index) {
        return steps.get(index);
    }

    /** The first step is due at once. */
    public long firstStepDue(long nowNanos) {
        return nowNanos;
    }

    /**
     * After an attempt that did not make the profile healthy.
     *
     * @return the 0-based index of the next step, or -1 when the ladder is exhausted
     */
    public int nextAfter(int index) {
        return index + 1 < steps.size() ? index + 1 : -1;
    }

    /** Each step after the first waits retryBackoffMs from the end of the previous attempt. */
    public long nextStepDue(long attemptEndedNanos) {
        return attemptEndedNanos + backoffNanos;
    }
}
