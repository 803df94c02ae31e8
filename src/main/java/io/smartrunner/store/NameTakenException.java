package io.smartrunner.store;

import io.smartrunner.SmartRunnerException;

/** Another live runner already has this {@code runner.name}: this one must not join (exit 1). */
public final class NameTakenException extends SmartRunnerException {
    NameTakenException(String message) {
        super(message, null, 1);
    }
}
