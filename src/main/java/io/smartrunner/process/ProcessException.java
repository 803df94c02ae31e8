package io.smartrunner.process;

import io.smartrunner.SmartRunnerException;

/**
 * The OS side of running children failed: /proc or a log file could not be read or rotated,
 * or a process tree could not be stopped.
 */
public sealed class ProcessException extends SmartRunnerException permits LogReplaced {
    public ProcessException(String message) {
        super(message);
    }

    public ProcessException(String message, Throwable cause) {
        super(message, cause);
    }
}
