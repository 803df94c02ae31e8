package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.util.List;
import java.util.Map;

/**
 * Durable profile and session state. Narrow on purpose: every implementation (SQLite now,
 * PostgreSQL for a fleet) passes the same contract tests. Time is never read inside: every
 * instant arrives in the records. Failures surface as {@link StoreException} with the file or
 * database and what went wrong. Thread-safe for one writer and any number of readers.
 */
public interface StateStore extends AutoCloseable {
    /** Every persisted profile by id (including ones no longer configured). */
    Map<String, ProfileState> loadProfiles();

    /** Sessions still RUNNING: after a crash, the ones to reconcile. */
    List<SessionRecord> openSessions();

    /** The most recent sessions of a profile, newest first. */
    List<SessionRecord> recentSessions(String profileId, int limit);

    /**
     * Where this runner's own rows show the store in step with its event log: the newest start
     * among the sessions it wrote (not their ends, which a lease's next holder may write), or empty
     * when the store cannot tell apart whose rows are whose (one runner per store: the caller judges
     * by the profiles' last instants).
     */
    default java.util.Optional<java.time.Instant> ownSessionsInSyncSince() {
        return java.util.Optional.empty();
    }

    /**
     * Of these session ids, the ones the store knows (a row, or an end recorded by another runner);
     * empty when every row of the store is this runner's own (then {@link #openSessions} says it all).
     */
    default java.util.Set<String> recordedElsewhere(java.util.Collection<String> sessionIds) {
        return java.util.Set.of();
    }

    /**
     * The name this runner's rows carry in a store shared by a fleet (lease holders, session rows),
     * or null when the store is this runner's alone.
     */
    default String processIdentity() {
        return null;
    }

    /**
     * Upserts the profiles and sessions in one transaction. A session's id, profile and start are
     * fixed by its first write (the SQLite store keys its rows on all three); later writes change
     * the rest.
     */
    void write(StateWrite write);

    /** Every recovery step's statistics per failure signature (the adaptive ladder's memory). */
    List<LadderStat> loadLadderStats();

    /** Upserts these statistics rows, keyed by (signature, step), in one transaction. */
    void writeLadderStats(List<LadderStat> stats);

    /**
     * A random id created on first open and kept: every session's environment carries it so the
     * processes of this data dir can be found after a crash without ever touching a stranger's.
     */
    String runnerId();

    @Override
    void close();
}
