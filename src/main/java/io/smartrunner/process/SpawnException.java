package io.smartrunner.process;

import io.smartrunner.SmartRunnerException;

/** A child that could not be started; the message carries the OS's reason. */
public final class SpawnException extends SmartRunnerException {
    public SpawnException(String message) {
        super(message);
    }

    public SpawnException(String message, Throwable cause) {
        super(message, cause);
    }
}
