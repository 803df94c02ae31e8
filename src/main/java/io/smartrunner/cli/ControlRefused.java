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
    ControlRefused(String message) {
        this(message, 1);
    }

    ControlRefused(String message, int exitCode) {
        super(message, null, exitCode);
    }
}
