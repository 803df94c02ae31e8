package io.smartrunner.profile;

import java.util.Locale;

/** Why a session failed; the lower-case name is {@code params.reason} in the error event. */
public enum FailureReason {
    /** Exited with a non-zero code. */
    EXIT,
    /** Died of a signal. */
    SIGNAL,
    /** Could not be started at all (class infrastructure: no streak, the profile backs off). */
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

    /**
     * Whether the failure is the profile's, i.e. counts towards its error streak. A shutdown is the
     * runner's doing; a spawn failure is the runner's environment (program gone, fork refused,
     * browser not startable), which the profile cannot fix: it backs off instead ({@link SpawnBackoff}).
     */
    public boolean countsTowardsStreak() {
        return this != SHUTDOWN && this != SPAWN;
    }

    /** DESIGN §2b: failures on the runner's side, marked {@code params.class = "infrastructure"}. */
    public boolean isInfrastructure() {
        return this == SPAWN;
    }
}
