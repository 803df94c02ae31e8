package io.smartrunner.store;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps the newest {@code kept} ended sessions of each profile and deletes older ones (RUNNING
 * sessions are never deleted). Amortised: a profile is pruned once every tenth of {@code kept}
 * ended sessions, so a fleet restarting hundreds of sessions a second pays one small delete now
 * and then instead of one per session. The store runs its own prune statement; used inside the
 * caller's transaction and lock.
 */
final class SessionRetention {
    private final int kept;
    private final int pruneEvery;
    private final Map<String, Integer> endedSincePrune = new HashMap<>();

    SessionRetention(int kept) {
        if (kept < 1) {
            throw new IllegalArgumentException("sessions kept per profile must be >= 1, was " + kept);
        }
        this.kept = kept;
        this.pruneEvery = Math.max(1, kept / 10);
    }

    /**
     * Counts {@code s} and says whether its profile is to be pruned now (the store binds the
     * profile id and {@link #skipped()} to its prune statement).
     */
    boolean pruneDue(SessionRecord s) {
        if (s.status() == SessionRecord.Status.RUNNING) {
            return false;
        }
        int ended = endedSincePrune.merge(s.profileId(), 1, Integer::sum);
        if (ended >= pruneEvery) {
            endedSincePrune.remove(s.profileId());
            return true;
        }
        return false;
    }

    /** The OFFSET of the newest session older than the kept ones. */
    int skipped() {
        return kept - 1;
    }
}
