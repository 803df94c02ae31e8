package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;

/**
 * One profile's control was not applied: its state refused it (already paused, not paused,
 * running…), or it waits for the runner holding the profile. Exit 1 for that profile; a command
 * asked for several profiles goes on with the others (a failure of the command itself, an API
 * that does not answer or a store that cannot be written, ends it instead).
 */
final class ControlRefused extends SmartRunnerException {
    ControlRefused(String message) {
        super(message, null, 1);
    }
}
