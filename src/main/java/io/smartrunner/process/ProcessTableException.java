package io.smartrunner.process;

import io.smartrunner.SmartRunnerException;

/** The machine's process table could not be read, or processes could not be stopped. */
public final class ProcessTableException extends SmartRunnerException {
    public ProcessTableException(String message) {
        super(message);
    }

    public ProcessTableException(String message, Throwable cause) {
        super(message, cause);
    }
}
