package io.smartrunner.store;

import io.smartrunner.SmartRunnerException;

/** The state store cannot be opened, read or written. */
public final class StoreException extends SmartRunnerException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
