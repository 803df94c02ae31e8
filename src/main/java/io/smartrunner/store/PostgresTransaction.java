package io.smartrunner.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One transaction on a connection: all of the work or, on any failure, none of it. On failure the
 * clean-up (rollback, auto-commit back on) may fail too, on a connection the failure closed (a
 * network timeout): those go with the first failure as suppressed, which stays the one thrown.
 * Before, the clean-up's "Connection is closed" replaced the "timed out" it came from (reviewer
 * R2, session 40).
 */
final class PostgresTransaction {
    private PostgresTransaction() {
    }

    static <T> T run(Connection c, PostgresWork.Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        T result;
        try {
            result = work.run(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
                c.setAutoCommit(true);
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        c.setAutoCommit(true);
        return result;
    }
}
