package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The pool's timeout while the database is down said the pool's own state: {@code database error
 * (sr-postgres - Connection is not available, request timed out after 1000ms (total=0, active=0,
 * idle=0, waiting=2), SQLSTATE 08001)} in the API's 503s, {@code pause} and {@code status}, where
 * the other commands said {@code cannot connect (connection refused)}. Now it says why, as they do.
 */
class PostgresErrorsTest {
    private static final String POOL = "sr-postgres - Connection is not available, request timed out after 1000ms"
            + " (total=0, active=0, idle=0, waiting=2)";

    @Test
    void thePoolsTimeoutSaysWhyTheLastConnectFailed() {
        PSQLException refused = new PSQLException("Connection to 127.0.0.1:55433 refused. Check that the hostname and"
                + " port are correct", PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"));
        StoreException e = PostgresErrors.wrap("PostgreSQL at 127.0.0.1:55433",
                new SQLTransientConnectionException(POOL, "08001", refused));
        assertEquals("PostgreSQL at 127.0.0.1:55433: cannot connect (connection refused)", e.getMessage());
    }

    /** Reviewer R17: a frozen server's first refusal in the API said "cannot connect (This connection has been closed.)". */
    @Test
    void thePoolsTimeoutAfterItClosedAConnectionThatStoppedAnsweringSaysTimedOut() {
        PSQLException closed = new PSQLException("This connection has been closed.", PSQLState.CONNECTION_DOES_NOT_EXIST);
        StoreException e = PostgresErrors.wrap("PostgreSQL at 127.0.0.1:7975",
                new SQLTransientConnectionException(POOL, "08003", closed));
        assertEquals("PostgreSQL at 127.0.0.1:7975: timed out (no answer from the server in time)", e.getMessage());
    }

    @Test
    void thePoolsTimeoutWithoutAFailedConnectMeansEveryConnectionIsBusy() {
        StoreException e = PostgresErrors.wrap("PostgreSQL at db1:5432", new SQLTransientConnectionException(POOL));
        assertEquals("PostgreSQL at db1:5432: busy (no pooled connection came free in time)", e.getMessage());
    }

    /** The driver's own refusal, e.g. marking the runner stopped on the way out of a start the database cut short. */
    @Test
    void aRefusedConnectIsSaidInWordsNotInTheDriversSentence() {
        PSQLException refused = new PSQLException("Connection to 127.0.0.1:55433 refused. Check that the hostname and"
                + " port are correct", PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"));
        assertEquals("PostgreSQL at 127.0.0.1:55433: cannot connect (connection refused)",
                PostgresErrors.wrap("PostgreSQL at 127.0.0.1:55433", refused).getMessage());
    }

    @Test
    void aTransactionTheServerEndedForIdlingSaysWhy() {
        assertEquals("PostgreSQL at db1:5432: the server ended this transaction, which had no statement for 5 s (was"
                + " this process stopped?); nothing of it was written, SQLSTATE 25P03",
                PostgresErrors.wrap("PostgreSQL at db1:5432", new java.sql.SQLException("terminating connection due to"
                        + " idle-in-transaction timeout", "25P03")).getMessage());
    }

    @Test
    void aFailedBatchSaysItsReasonNotItsStatement() {
        java.sql.BatchUpdateException batch = new java.sql.BatchUpdateException("Batch entry 0 INSERT INTO profiles"
                + " (profile_id, pod) VALUES (('q603'), ('podq')) was aborted: An I/O error occurred", "08006", new int[0]);
        batch.setNextException(new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new java.net.SocketTimeoutException("Read timed out")));
        assertEquals("PostgreSQL at db1:5432: timed out (no answer from the server in time, SQLSTATE 08006)",
                PostgresErrors.wrap("PostgreSQL at db1:5432", batch).getMessage());
    }

    @Test
    void anAnswerThatDidNotComeInTimeIsSaidAsATimeout() {
        PSQLException io = new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new java.net.SocketTimeoutException("Read timed out"));
        assertEquals("PostgreSQL at db1:5432: timed out (no answer from the server in time, SQLSTATE 08006)",
                PostgresErrors.wrap("PostgreSQL at db1:5432", io).getMessage());
    }
}
