package io.smartrunner.cluster;

import io.smartrunner.store.PostgresLeases;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The engine loop as the {@link LeaseKeeper} sees it; every call comes from the heartbeat thread. */
public interface LeaseHandoff {
    /** Leases just acquired: the loop takes each on (or refuses it) between two turns. */
    void acquired(List<PostgresLeases.Acquired> leases);

    /**
     * Asks the loop to give back up to {@code count} of {@code profileIds} that are idle (not
     * running, not spawning, not in recovery) once their pending writes are in; answered with the
     * ones it dropped, which the keeper then frees in the database.
     */
    CompletableFuture<List<String>> giveBack(List<String> profileIds, int count);

    /**
     * Asks the loop to give back, per pod, up to that many of its slots (0: none, and start within
     * all held again); it gives only slots no running session of the pod needs and holds the rest
     * back from new starts. Answered with the slots it dropped per pod, which the keeper then frees.
     * One question for all pods, so the heartbeat thread waits for the loop at most once a tick.
     */
    default CompletableFuture<java.util.Map<String, List<Integer>>> giveBackSlots(java.util.Map<String, Integer> counts) {
        return CompletableFuture.completedFuture(java.util.Map.of());
    }

    /** Pod slots were just acquired here: the loop looks for sessions to start now, not at its next tick. */
    default void slotsAcquired() {
    }
}
