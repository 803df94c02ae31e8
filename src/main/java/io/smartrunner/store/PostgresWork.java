package io.smartrunner.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work on the heartbeat thread's connection of a PostgreSQL store ({@link DirectConnection}), alone
 * or as one transaction (all of it or, on any failure, none); a failure of the database becomes a
 * {@link StoreException} naming it.
 */
final class PostgresWork {
    /**
     * How long a statement of the membership and lease work waits for each answer of the server.
     * They run on the heartbeat thread, which retries a failure with backoff; without a bound, a
     * heartbeat sent into a cut network waits for TCP's retransmissions, and the runner resumes
     * only minutes after the network does (the engine loop's writes have a tighter bound:
     * ClusterSettings.storeWaitMs).
     */
    static final int ANSWER_WITHIN_MS = 5_000;

    private final DirectConnection connection;
    private final String where;

    PostgresWork(DirectConnection connection, String where) {
        this.connection = connection;
        this.where = where;
    }

    <T> T run(Work<T> work) {
        try {
            return connection.run(c -> {
                PostgresStateStore.answersWithin(c, ANSWER_WITHIN_MS);
                return work.run(c);
            });
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    <T> T inTransaction(Work<T> work) {
        return run(c -> PostgresTransaction.run(c, work));
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }
}
