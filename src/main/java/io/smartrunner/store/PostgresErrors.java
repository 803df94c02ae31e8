package io.smartrunner.store;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns what the driver and the pool throw into one {@link StoreException} line a person can act
 * on: {@code PostgreSQL at db1:5432: cannot connect (connection refused)}. Never carries the
 * password: the driver does not put it in messages, and {@link #oneLine} removes it anyway.
 */
final class PostgresErrors {
    private static final String POOL_TIMED_OUT = "Connection is not available, request timed out";
    private PostgresErrors() {
    }

    static StoreException cannotConnect(String where, Throwable e, String password) {
        return new StoreException(where + ": cannot connect (" + oneLine(cause(e), password) + ")", e);
    }

    static StoreException wrap(String where, SQLException e) {
        if (e instanceof java.sql.BatchUpdateException batch && batch.getNextException() != null) {
            // its own message is the batch's first statement with every value (a kilobyte of SQL,
            // reviewer R3); the reason is the next exception's
            return wrap(where, batch.getNextException());
        }
        if (e instanceof SQLTransientConnectionException && String.valueOf(e.getMessage()).contains(POOL_TIMED_OUT)) {
            // HikariCP's wait for a connection ran out: its message is the pool's own state
            // ("total=0, active=0, idle=0, waiting=2"); its cause, the last connect's failure, says why
            if (e.getCause() == null) {
                return new StoreException(where + ": busy (no pooled connection came free in time)", e);
            }
            if (closedUnanswered(e.getCause())) {
                // the pool's check of an idle connection got no answer in time and closed it: a frozen
                // server, not a refused one (reviewer R17: "cannot connect (This connection has been closed.)")
                return new StoreException(where + ": timed out (no answer from the server in time)", e);
            }
            return new StoreException(where + ": cannot connect (" + oneLine(cause(e.getCause()), null) + ")", e);
        }
        if (e instanceof PSQLException && PSQLState.CONNECTION_UNABLE_TO_CONNECT.getState().equals(e.getSQLState())) {
            return new StoreException(where + ": cannot connect (" + oneLine(cause(e), null) + ")", e);
        }
        String state = e.getSQLState() == null ? "" : ", SQLSTATE " + e.getSQLState();
        if ("25P03".equals(e.getSQLState())) {
            // idle_in_transaction_session_timeout (PostgresStateStore.IDLE_IN_TRANSACTION_MS): this process sat
            // inside a transaction that long, i.e. it was stopped (SIGSTOP, Ctrl-Z, a paused VM)
            return new StoreException(where + ": the server ended this transaction, which had no statement for "
                    + PostgresStateStore.IDLE_IN_TRANSACTION_MS / 1000 + " s (was this process stopped?); nothing of"
                    + " it was written" + state, e);
        }
        if (answerTimedOut(e)) {
            // the driver's sentence ("An I/O error occurred while sending to the backend") hides the reason
            return new StoreException(where + ": timed out (no answer from the server in time" + state + ")", e);
        }
        return new StoreException(where + ": database error (" + oneLine(serverMessage(e), null) + state + ")", e);
    }

    /** The driver's "This connection has been closed.": the pool closed it, its check unanswered. */
    private static boolean closedUnanswered(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && PSQLState.CONNECTION_DOES_NOT_EXIST.getState().equals(p.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** A statement's wait for the server's answer ran out (the connection's network timeout). */
    private static boolean answerTimedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost reason the connection failed, in words. */
    static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            } else if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            } else if (t instanceof NoRouteToHostException) {
                return "no route to host";
            } else if (t instanceof SocketTimeoutException || loginTimedOut(t)) {
                return "timed out";
            } else if (t instanceof PSQLException p && p.getServerErrorMessage() != null) {
                return p.getServerErrorMessage().getMessage();
            }
        }
        Throwable innermost = e;
        while (innermost.getCause() != null) {
            innermost = innermost.getCause();
        }
        return innermost instanceof SQLException s ? serverMessage(s) : String.valueOf(innermost.getMessage());
    }

    /** The driver's {@code loginTimeout} ran out: it says so in words only ("Connection attempt timed out."). */
    private static boolean loginTimedOut(Throwable t) {
        return t instanceof PSQLException p && p.getServerErrorMessage() == null
                && PSQLState.CONNECTION_UNABLE_TO_CONNECT.getState().equals(p.getSQLState())
                && String.valueOf(p.getMessage()).contains("timed out");
    }

    private static String serverMessage(SQLException e) {
        if (e instanceof PSQLException p) {
            ServerErrorMessage server = p.getServerErrorMessage();
            if (server != null && server.getMessage() != null) {
                return server.getMessage();
            }
        }
        return String.valueOf(e.getMessage());
    }

    static String oneLine(String text, String password) {
        String line = String.valueOf(text).replaceAll("\\s+", " ").strip();
        return password == null || password.isEmpty() ? line : line.replace(password, "***");
    }
}
