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
    /** Was running when the runner itself died; closed on the next start (infrastructure: no streak). */
    LOST,
    /** Stopped because the runner shut down: not the profile's fault, so it does not count. */
    SHUTDOWN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether the failure is the profile's by its reason alone, i.e. counts towards its error
     * streak ({@link FailureClass#of}). A shutdown is the runner's doing; a lost session the
     * runner's death; a spawn failure the runner's environment (program gone, fork refused,
     * browser not startable), which the profile cannot fix: it backs off instead ({@link SpawnBackoff}).
     */
    public boolean countsTowardsStreak() {
        return FailureClass.of(this).countsTowardsStreak();
    }

    /** DESIGN §2b: failures on the runner's side, marked {@code params.class = "infrastructure"}. */
    public boolean isInfrastructure() {
        return FailureClass.of(this) == FailureClass.INFRASTRUCTURE;
    }
}
