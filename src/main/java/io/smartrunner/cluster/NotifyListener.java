package io.smartrunner.cluster;

import io.smartrunner.DaemonThreads;
import io.smartrunner.config.StoreSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * PostgreSQL LISTEN on a dedicated connection (never one of the pool: a pooled connection is
 * handed to others between statements) and thread ({@code sr-listen}): each notification on the
 * channels goes to {@code onNotify(channel, payload)}. A lost connection is said once, reconnected
 * with backoff (1 s doubling to 10 s), and after each (re)connect every channel is told once with
 * a null payload, since notifications sent meanwhile are lost: listeners then re-read what they
 * show.
 *
 * <p>A connection that dies without a word (the server frozen, a failover that leaves the old
 * address silent, a network partition: no FIN, no RST) looks like a quiet channel to a LISTEN,
 * and TCP keepalive gives up only after hours, so every live stream and the fleet report would
 * stall until then. The listener therefore asks the server {@code SELECT 1} every
 * {@link #PROBE_EVERY_MS} and gives it {@link #ANSWER_WITHIN_MS} to answer; no answer is a lost
 * connection (said, reconnected as above).
 */
public final class NotifyListener implements AutoCloseable {
    private static final int WAIT_MS = 1_000;
    static final long PROBE_EVERY_MS = 5_000;
    static final int ANSWER_WITHIN_MS = 5_000;
    private static final long MAX_RETRY_MS = 10_000;

    private final StoreSettings settings;
    private final List<String> channels;
    private final BiConsumer<String, String> onNotify;
    private final Consumer<String> say;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    public NotifyListener(StoreSettings settings, List<String> channels, BiConsumer<String, String> onNotify,
                          Consumer<String> say) {
        this.settings = settings;
        this.channels = List.copyOf(channels);
        this.onNotify = onNotify;
        this.say = say;
        this.thread = DaemonThreads.daemon(this::run, "sr-listen");
    }

    public NotifyListener start() {
        thread.start();
        return this;
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement st = c.createStatement()) {
                    for (String channel : channels) {
                        st.execute("LISTEN " + channel);
                    }
                }
                if (failures > 0) {
                    say.accept("LISTEN on PostgreSQL at " + settings.hostPort() + " works again");
                }
                failures = 0;
                channels.forEach(ch -> onNotify.accept(ch, null));
                PGConnection pg = c.unwrap(PGConnection.class);
                c.setNetworkTimeout(Runnable::run, ANSWER_WITHIN_MS); // the probe's bound; a wait sets its own
                long probed = System.nanoTime();
                while (!closed) {
                    if (System.nanoTime() - probed >= TimeUnit.MILLISECONDS.toNanos(PROBE_EVERY_MS)) {
                        probe(c);
                        probed = System.nanoTime();
                    }
                    PGNotification[] got = pg.getNotifications(WAIT_MS);
                    if (got == null) {
                        continue;
                    }
                    for (PGNotification n : got) {
                        deliver(n.getName(), n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (failures++ == 0) {
                    say.accept("LISTEN on PostgreSQL at " + settings.hostPort() + " failed, reconnecting with backoff"
                            + " (live updates from other runners wait meanwhile): " + e.getMessage());
                }
                pause(Math.min(MAX_RETRY_MS, 1_000L << Math.min(failures - 1, 4)));
            } finally {
                connection = null;
            }
        }
    }

    /** Throws when the server does not answer within {@link #ANSWER_WITHIN_MS}. */
    private static void probe(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        }
    }

    private void deliver(String channel, String payload) {
        try {
            onNotify.accept(channel, payload);
        } catch (RuntimeException e) {
            say.accept("notification on " + channel + " not handled: " + e);
        }
    }

    private Connection connect() throws SQLException {
        return io.smartrunner.store.DirectConnection.open(settings, 5, 10, "smart-runner-listen");
    }

    private synchronized void pause(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        try {
            thread.join(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
