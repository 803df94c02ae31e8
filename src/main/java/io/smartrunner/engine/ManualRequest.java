package io.smartrunner.engine;

import java.time.Duration;

/**
 * What an operator asks of one profile (API, CLI). Each is recorded with the same events as its
 * automatic counterpart, {@code by} saying who asked.
 */
public sealed interface ManualRequest {
    String profileId();

    String by();

    /** Pause now for {@code duration}; a running session is stopped (not counted against the profile). */
    record Pause(String profileId, Duration duration, String reason, String by) implements ManualRequest {
    }

    record Unpause(String profileId, String by) implements ManualRequest {
    }

    /** Sets the error streak back to 0 (a pause, if any, stays). */
    record ResetStreak(String profileId, String by) implements ManualRequest {
    }

    /** Starts a session as soon as a slot is free, skipping the cooldown and going first in line. */
    record RunNow(String profileId, String by) implements ManualRequest {
    }
}
