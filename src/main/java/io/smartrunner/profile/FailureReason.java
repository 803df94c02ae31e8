package io.smartrunner.profile;

import java.util.Locale;

/** Why a session failed; the lower-case name is {@code params.reason} in the error event. */
public enum FailureReason {
    /** Exited with a non-zero code. */
    EXIT,
    /** Died of a signal. */
    SIGNAL,
    /** Could not be started at all. */
    SPAWN,
    /** Ran past session.timeoutMs. */
    TIMEOUT,
    /** Printed nothing for session.idleTimeoutMs. */
    HANG,
    /** Was running when the runner itself died; closed on the next start. */
    LOST,
    /** Stopped because the runner shut down: not the profile's fault, so it does not count. */
    SHUTDOWN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the failure is the profile's, i.e. counts towards its error streak. */
    public boolean countsTowardsStreak() {
        return this != SHUTDOWN;
    }
}
