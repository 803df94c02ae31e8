package io.smartrunner.cluster;

import java.util.Collection;

/**
 * Which profiles this runner may run, as the engine asks it (DESIGN §3a). In cluster mode a
 * {@link LeaseKeeper}: a profile may run while this runner holds its lease and its last
 * successful heartbeat was sent less than the renew deadline ago. {@link #single()} is one runner
 * on SQLite: everything may run, no epoch, no thread, no cost.
 *
 * <p>The engine's side of the hand-over: the keeper offers newly acquired leases through the
 * {@link LeaseHandoff} the engine {@link #attach attaches}; the loop takes each one on
 * ({@link #taken}) or {@link #refused refuses} it, and {@link #dropped drops} the ones it gives back.
 */
public interface ProfileLeases {
    /** Whether a session of the profile may start (or keep running) now. */
    boolean mayRun(String profileId);

    /**
     * Whether the controls queued for the profile have been read since this runner took it on
     * ({@link QueuedControlReads}): until then a held profile keeps what it runs, but starts nothing.
     */
    default boolean queuedControlsRead(String profileId) {
        return true;
    }

    /** The epoch this runner holds the profile's lease at; null when not held, or not in cluster mode. */
    Long epoch(String profileId);

    /**
     * The epoch the fleet's events about the profile are fenced with: the one held now, else the one
     * this runner held when it lost the lease (taken over, or a write refused as stale), else null
     * (never held here, or given back: not fenced, as a browser closed after a give-back). Events of
     * a session stopped because its lease was lost are then refused once another runner holds it, as
     * the session's rows are, instead of adding a second end to the one the taker wrote.
     */
    default Long lastEpoch(String profileId) {
        return epoch(profileId);
    }

    /** Why this runner may run nothing now (its renew deadline passed: self-fencing), or null. */
    default String fenced() {
        return null;
    }

    /** Cluster mode: the loop checks its leases every turn and turns at least every second. */
    default boolean clustered() {
        return false;
    }

    /**
     * The longest a self-fencing stop may wait between SIGTERM and SIGKILL, so that renew deadline
     * + {@link #checkEveryMs()} + this grace stays under the TTL (docs/cluster-leases.md).
     */
    default long fenceGraceMs() {
        return Long.MAX_VALUE;
    }

    /** Cluster mode: how often at least the loop checks its leases (it turns at least this often). */
    default long checkEveryMs() {
        return Long.MAX_VALUE;
    }

    /** The engine's loop, which takes acquired leases on and gives idle ones back. */
    default void attach(LeaseHandoff loop) {
    }

    /** The profiles configured now (at start and after a reload): the ones leases are taken for. */
    default void configured(Collection<String> profileIds) {
    }

    /**
     * The profiles configured now with their placement (at start and after a reload): leases are taken
     * for {@link Placement#eligible()} only, pinned ones first.
     */
    default void configured(Placement placement) {
        configured(placement.eligible());
    }

    /** The loop took an acquired lease on (its state replaced, the old holder's sessions closed). */
    default void taken(String profileId, long epoch) {
    }

    /** The loop did not take an acquired lease on (the profile is not configured any more). */
    default void refused(String profileId) {
    }

    /** The loop gave the profile back (it was idle): nothing of it runs here any more. */
    default void dropped(String profileId) {
    }

    /**
     * Cluster mode: the pods' {@code concurrency} and every configured profile's pod (at start and
     * after a reload), for the pod slots (a pod's concurrency across the fleet).
     */
    default void pods(java.util.Map<String, Integer> concurrency, java.util.Map<String, String> podOf) {
    }

    /** Cluster mode: how many slots of the pod this runner holds (sessions of it it may run at once). */
    default int podSlots(String pod) {
        return Integer.MAX_VALUE;
    }

    /** Cluster mode, loop thread: gives up to {@code count} slots of the pod back; the slots dropped. */
    default java.util.List<Integer> dropPodSlots(String pod, int count) {
        return java.util.List.of();
    }

    /**
     * Cluster mode, loop thread: per pod, how many sessions this runner could run now (profiles held
     * here that are running or not paused): the keeper wants no more slots than that.
     */
    default void podDemand(java.util.Map<String, Integer> runnable) {
    }

    /** One runner on SQLite: everything may run. */
    static ProfileLeases single() {
        return Single.INSTANCE;
    }

    /** {@link #single()}. */
    enum Single implements ProfileLeases {
        INSTANCE;

        @Override
        public boolean mayRun(String profileId) {
            return true;
        }

        @Override
        public Long epoch(String profileId) {
            return null;
        }
    }
}
