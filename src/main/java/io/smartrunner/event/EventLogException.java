package io.smartrunner.event;

import io.smartrunner.SmartRunnerException;

/** The event log cannot be opened or written. */
public final class EventLogException extends SmartRunnerException {
    public EventLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
