package io.smartrunner.recovery;

import io.smartrunner.event.EventRecord.RecoveryAttempted.Result;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.StepConfig;
import io.smartrunner.recovery.Episode.Phase;
import io.smartrunner.recovery.LadderDecision.Cancelled;
import io.smartrunner.recovery.LadderDecision.Escalate;
import io.smartrunner.recovery.LadderDecision.Exhausted;
import io.smartrunner.recovery.LadderDecision.Held;
import io.smartrunner.recovery.LadderDecision.Recovered;
import io.smartrunner.recovery.LadderDecision.RunStep;
import io.smartrunner.recovery.LadderDecision.Stale;
import io.smartrunner.recovery.LadderDecision.Verify;
import io.smartrunner.recovery.LadderDecision.Wait;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ladder's rules as one pure function, {@link #decide}: given an episode, what just happened
 * and the monotonic time, the next decision. Timeouts and backoff are computed deadlines, never
 * sleeps; the caller performs the effects (start a run, write events) and asks again at the
 * deadline. Immutable and thread-safe.
 */
public final class RecoveryLadder {
    /** A step held for its provider is tried again at most this far apart. */
    static final long MAX_HOLD_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** ... and at least this far apart (retryBackoffMs may be 0): each try is an event. */
    static final long MIN_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final List<StepConfig> steps;
    private final long backoffNanos;
    private final long stepTimeoutNanos;
    private final long stepTimeoutMs;

    public RecoveryLadder(RecoverySettings settings) {
        int max = Math.min(settings.maxRecoverySteps(), settings.steps().size());
        this.steps = List.copyOf(settings.steps().subList(0, max));
        this.backoffNanos = TimeUnit.MILLISECONDS.toNanos(settings.retryBackoffMs());
        this.stepTimeoutMs = settings.stepTimeoutMs();
        this.stepTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(stepTimeoutMs);
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

    /** The steps' names, in ladder order. */
    public List<String> stepNames() {
        return steps.stream().map(StepConfig::name).toList();
    }

    /** The next decision for {@code e} after {@code input} at monotonic {@code nowNanos}. */
    public LadderDecision decide(Episode e, LadderInput input, long nowNanos) {
        if (input instanceof LadderInput.Cancel) {
            return new Cancelled(e.over(), e.running());
        }
        if (e.phase() == Phase.OVER) {
            return new Stale(e);
        }
        if (input instanceof LadderInput.Admitted) {
            // the first step is due at once
            Episode waiting = e.waiting(e.step(), nowNanos);
            return new Wait(waiting, waiting.dueNanos());
        }
        if (input instanceof LadderInput.Result r) {
            return e.running() && r.runNumber() == e.runNumber() ? completed(e, r.result(), false, nowNanos)
                    : new Stale(e);
        }
        if (e.phase() == Phase.WAITING && nowNanos - e.dueNanos() >= 0) {
            Episode stepping = e.stepping(nowNanos, nowNanos + stepTimeoutNanos);
            return new RunStep(stepping, stepping.step(), stepping.dueNanos());
        }
        if (e.running() && nowNanos - e.dueNanos() >= 0) {
            return completed(e.abandoningRun(), StepResult.failed("timed out after stepTimeoutMs " + stepTimeoutMs),
                    true, nowNanos);
        }
        return new Wait(e, e.dueNanos());
    }

    /** retryBackoffMs (at least 1 s), doubled for each hold of the step before, at most 5 min (or retryBackoffMs). */
    private long holdNanos(int heldBefore) {
        long cap = Math.max(MAX_HOLD_NANOS, backoffNanos);
        long hold = Math.max(backoffNanos, MIN_HOLD_NANOS);
        for (int i = 0; i < heldBefore && hold < cap; i++) {
            hold *= 2;
        }
        return Math.min(hold, cap);
    }

    private LadderDecision completed(Episode e, StepResult result, boolean timedOut, long nowNanos) {
        long took = nowNanos - e.attemptStartNanos();
        Attempt attempt;
        if (e.phase() == Phase.STEP) {
            if (result.ok()) {
                Episode verifying = e.verifying(result.detail(), nowNanos + stepTimeoutNanos);
                return new Verify(verifying, verifying.dueNanos());
            }
            if (result.infrastructure()) {
                // the step was never tried: climbing would spend the ladder on an outage of the
                // provider (AdsPower restarting) that the profile is not to blame for
                long hold = holdNanos(e.held());
                Attempt held = new Attempt(e.step(), Result.FAILED, result.detail() + " (the browser provider could"
                        + " not be reached: this step is tried again in " + TimeUnit.NANOSECONDS.toSeconds(hold)
                        + " s, not the next one)", null, took, timedOut, true);
                Episode waiting = e.holding(nowNanos + hold);
                return new Held(waiting, held, waiting.dueNanos());
            }
            attempt = new Attempt(e.step(), Result.FAILED, result.detail(), null, took, timedOut, false);
        } else {
            attempt = new Attempt(e.step(), result.ok() ? Result.OK : Result.UNHEALTHY, e.stepDetail(), result.detail(), took,
                    timedOut);
        }
        if (result.ok()) {
            return new Recovered(e.over(), attempt);
        }
        if (e.step() + 1 >= steps.size()) {
            return new Exhausted(e.over(), attempt, e.stepsUsed(), nowNanos - e.startedNanos());
        }
        // each step after the first waits retryBackoffMs from the end of the previous attempt
        Episode waiting = e.waiting(e.step() + 1, nowNanos + backoffNanos);
        return new Escalate(waiting, attempt, waiting.dueNanos());
    }
}
