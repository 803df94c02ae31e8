package io.smartrunner.profile;

import java.time.Instant;
import java.util.Objects;

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

    /**
     * The record's own equals, written out: the generated one is built from method handles at its
     * first call (24 classes spun, ~5 ms on the start's critical path, the crash reconciliation's
     * first comparison) and runs through them after. Every component, as the record's would.
     */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ProfileState p
                && errorStreak == p.errorStreak && running == p.running && needsRecovery == p.needsRecovery
                && paused == p.paused && pauseCount == p.pauseCount
                && Objects.equals(profileId, p.profileId) && Objects.equals(pod, p.pod)
                && Objects.equals(pausedUntil, p.pausedUntil) && Objects.equals(lastSessionId, p.lastSessionId)
                && Objects.equals(lastError, p.lastError) && Objects.equals(lastStartedAt, p.lastStartedAt)
                && Objects.equals(lastFinishedAt, p.lastFinishedAt) && Objects.equals(pausedAt, p.pausedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profileId, pod, errorStreak, running, needsRecovery, paused, pausedUntil, lastSessionId,
                lastError, lastStartedAt, lastFinishedAt, pauseCount, pausedAt);
    }
}
