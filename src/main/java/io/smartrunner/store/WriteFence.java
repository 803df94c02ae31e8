package io.smartrunner.store;

/**
 * Which writes about a profile the PostgreSQL store lets through (cluster mode): only those of
 * the incarnation holding the profile's lease at the epoch it believes it holds. Rows about any
 * other profile are skipped, not failed: the rest of the write goes in.
 */
public interface WriteFence {
    /** This runner's incarnation (the lease holder's). */
    long incarnation();

    /** The epoch this runner holds the profile's lease at, or null when it does not hold it. */
    Long epoch(String profileId);

    /** The database refused a write this runner believed it held the lease for (another runner took it). */
    void stale(String profileId, long heldEpoch, Long databaseEpoch);

    /** A write about a profile this runner does not hold was skipped. */
    void notHeld(String profileId);
}
