package io.smartrunner.store;

import io.smartrunner.config.StoreSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One connection made by the driver itself, outside the pool, for the membership and lease work of
 * the heartbeat thread (docs/cluster-leases.md). Work that fails discards it, and the next work
 * connects again at once, with short connect and login timeouts. The pool would not: after a
 * database outage HikariCP refills itself with a backoff of up to 5 s between attempts, and a
 * heartbeat waiting on it landed 4.5-8 s after the database was back, when the runner had fenced
 * itself already. Thread-safe: work is serialised (the heartbeat thread; the start and the stop).
 */
public final class DirectConnection implements AutoCloseable {
    /** How long making the connection may take: the TCP connect, then the login. */
    static final int CONNECT_TIMEOUT_SECONDS = 2;
    static final int LOGIN_TIMEOUT_SECONDS = 3;

    private final StoreSettings settings;
    private Connection connection;
    private boolean closed;

    DirectConnection(StoreSettings settings) {
        this.settings = settings;
    }

    /** Runs {@code work} on the connection, made first if there is none; a failure discards it. */
    synchronized <T> T run(PostgresWork.Work<T> work) throws SQLException {
        if (closed) {
            throw new SQLException("the store is closed");
        }
        try {
            if (connection == null || connection.isClosed()) {
                connection = connect();
            }
            return work.run(connection);
        } catch (SQLException e) {
            discard();
            throw e;
        }
    }

    private Connection connect() throws SQLException {
        return open(settings, CONNECT_TIMEOUT_SECONDS, LOGIN_TIMEOUT_SECONDS, "smart-runner-heartbeat");
    }

    /**
     * A connection of the driver's own (not the pool's), with both timeouts: a frozen server
     * accepts the TCP connection and never answers, which only the login timeout ends.
     */
    public static Connection open(StoreSettings settings, int connectSeconds, int loginSeconds, String application)
            throws SQLException {
        Properties p = new Properties();
        if (settings.user() != null) {
            p.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            p.setProperty("password", settings.password());
        }
        p.setProperty("connectTimeout", String.valueOf(connectSeconds));
        p.setProperty("loginTimeout", String.valueOf(loginSeconds));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", application);
        Connection c = DriverManager.getConnection(settings.url(), p);
        try (java.sql.Statement st = c.createStatement()) {
            // bounded like the login (a server frozen just after it), then the caller's own again (none:
            // a LISTEN connection waits for notifications as long as it likes)
            int before = c.getNetworkTimeout();
            c.setNetworkTimeout(Runnable::run, loginSeconds * 1000);
            st.execute(PostgresStateStore.SESSION_SETUP);
            // the server gives up on a statement when this side does (its answer wait): one queued behind
            // a lock does not run later, after this side took it as failed and went on (reviewer R4)
            st.execute("SET statement_timeout = " + PostgresWork.ANSWER_WITHIN_MS);
            c.setNetworkTimeout(Runnable::run, before);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void discard() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // broken already
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        discard();
    }
}
