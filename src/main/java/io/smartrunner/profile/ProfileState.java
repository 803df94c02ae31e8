package io.smartrunner.profile;

import java.time.Instant;

/**
 * What the runner knows about one profile, persisted after every change. Immutable; the rules in
 * {@link ProfileRules} return new instances.
 *
 * @param errorStreak    consecutive failed sessions
 * @param running        a session of the profile is running
 * @param needsRecovery  the last session failed and the profile has not been healthy since
 * @param paused         skipped by the scheduler until {@code pausedUntil}
 * @param pausedUntil    UTC instant the pause ends; null when not paused
 * @param lastSessionId  the most recent session, null before the first
 * @param lastError      one-line summary of the most recent failure, null after a success
 * @param lastStartedAt  start of the most recent session (fairness: least recently run first)
 * @param lastFinishedAt end of the most recent session (cooldown runs from here)
 * @param pauseCount     pauses since the last successful session (drives the optional pause back-off)
 * @param pausedAt       when the current pause began; null when not paused
 */
public record ProfileState(
        String profileId,
        String pod,
        int errorStreak,
        boolean running,
        boolean needsRecovery,
        boolean paused,
        Instant pausedUntil,
        String lastSessionId,
        String lastError,
        Instant lastStartedAt,
        Instant lastFinishedAt,
        int pauseCount,
        Instant pausedAt) {

    /** A profile seen for the first time. */
    public static ProfileState fresh(String profileId, String pod) {
        return new ProfileState(profileId, pod, 0, false, false, false, null, null, null, null, null, 0, null);
    }

    public ProfileState withPod(String newPod) {
        return new ProfileState(profileId, newPod, errorStreak, running, needsRecovery, paused, pausedUntil,
                lastSessionId, lastError, lastStartedAt, lastFinishedAt, pauseCount, pausedAt);
    }
}
