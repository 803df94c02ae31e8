package io.smartrunner.recovery;

import io.smartrunner.event.EventRecord.RecoveryAttempted.Result;

/**
 * One ended attempt (a step and, if it succeeded, its check): what a recover event reports.
 *
 * @param step          0-based index of the step
 * @param outcome       ok (healthy after this step), failed (the step itself failed) or
 *                      unhealthy (the step ran but the check failed)
 * @param stepDetail    the step's detail
 * @param verifyDetail  the check's detail, null when no check ran
 * @param durationNanos from the step's start to now
 * @param timedOut      the run did not answer within stepTimeoutMs: the caller stops it
 * @param infrastructure the step failed because the browser provider could not be reached ({@link StepResult})
 */
public record Attempt(int step, Result outcome, String stepDetail, String verifyDetail, long durationNanos,
                      boolean timedOut, boolean infrastructure) {
    public Attempt(int step, Result outcome, String stepDetail, String verifyDetail, long durationNanos,
                   boolean timedOut) {
        this(step, outcome, stepDetail, verifyDetail, durationNanos, timedOut, false);
    }
}
