package io.smartrunner.store;

import io.smartrunner.SmartRunnerException;

/** The state store cannot be opened, read or written. */
public final class StoreException extends SmartRunnerException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** With its exit code: 2 for a store this release cannot use whatever it retries (a newer schema). */
    public StoreException(String message, Throwable cause, int exitCode) {
        super(message, cause, exitCode);
    }
}
