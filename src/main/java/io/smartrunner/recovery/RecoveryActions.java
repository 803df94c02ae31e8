package io.smartrunner.recovery;

import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;

/**
 * Performs ladder steps and health checks. The real implementation runs commands and HTTP
 * requests; tests substitute one whose results they complete by hand. Thread-safe; must not block.
 */
public interface RecoveryActions {
    /** Starts one step. */
    RunningStep step(StepConfig step, StepContext ctx);

    /** Starts the health check that follows a step. */
    RunningStep verify(VerifyConfig verify, StepContext ctx);
}
