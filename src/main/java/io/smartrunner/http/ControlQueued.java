package io.smartrunner.http;

/**
 * A manual control recorded for the fleet but not applied yet: no runner held the profile within
 * the wait (cluster mode). The API answers 202 with this message; the next holder applies it.
 */
public final class ControlQueued extends RuntimeException {
    public ControlQueued(String message) {
        super(message, null, false, false);
    }
}
