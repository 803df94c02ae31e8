package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;

/**
 * One profile's control was not applied: its state refused it (already paused, not paused,
 * running…), it waits for the runner holding the profile, or the running runner does not have
 * the profile (exit 2: its configuration is not the file's, a reload away). A command asked for
 * several profiles goes on with the others; a failure of the command itself (an API that does
 * not answer, a store that cannot be written) ends it instead.
 */
final class ControlRefused extends SmartRunnerException {
    /** Not refused: queued for the runner that holds the profile, applied when it (or the next holder) runs. */
    private final boolean queued;

    ControlRefused(String message) {
        this(message, 1);
    }

    ControlRefused(String message, int exitCode) {
        this(message, exitCode, false);
    }

    private ControlRefused(String message, int exitCode, boolean queued) {
        super(message, null, exitCode);
        this.queued = queued;
    }

    /** A control not in effect yet (exit 1), though it will be: counted apart from the refusals. */
    static ControlRefused queued(String message) {
        return new ControlRefused(message, 1, true);
    }

    boolean queued() {
        return queued;
    }
}
