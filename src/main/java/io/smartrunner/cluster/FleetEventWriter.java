package io.smartrunner.cluster;

import io.smartrunner.DaemonThreads;
import io.smartrunner.event.EventRecord;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.StoreException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends the runner's events to the fleet's {@code events} table, in the order they are written
 * locally, one transaction per batch. While the database answers, each batch is sent at once on
 * the loop's thread, before the local append ({@link #sendNow}: see {@link FleetEventSink} for
 * why); otherwise batches wait and a thread of its own ({@code sr-fleet-events}) sends them when
 * it can (batches queued meanwhile together, up to {@link #MAX_BATCH}), and new batches wait
 * behind them so the table keeps the local order.
 *
 * <p>Database down: the batch is kept and retried every {@link #RETRY_MS} (the heartbeat's cadence,
 * {@link Membership#MAX_RETRY_MS}), said once per episode, and new batches offered meanwhile wait for
 * the pause's end; it is sent within about a second of the database's return. (It backed off to
 * 30 s: queued events went out 10-34 s after the database was back.) At most {@link #MAX_QUEUED} events wait
 * behind the batch being retried; beyond that new ones are not queued (counted, said once): they
 * stay in the local log only. Events the database refuses (a session's second end, or an epoch this
 * runner never held: {@link PostgresEvents#insert}) are counted and said; they too stay in the local
 * log only. Thread-safe.
 */
public final class FleetEventWriter implements AutoCloseable {
    static final int MAX_BATCH = 1_000;
    static final int MAX_QUEUED = 100_000;
    static final long RETRY_MS = Membership.MAX_RETRY_MS;
    private static final long CLOSE_DRAIN_MS = 5_000;

    private final PostgresEvents events;
    private final String runner;
    private final long incarnation;
    private final Consumer<String> say;
    private final Deque<PostgresEvents.Written> queue = new ArrayDeque<>();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong notQueued = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread;
    private final long retryMs;
    private final int maxQueued;
    private final AtomicLong attempts = new AtomicLong();
    private boolean closing;
    private boolean overflowSaid;
    private volatile int failures;
    /** The thread is sending a batch it took off the queue: a batch sent now would overtake it. */
    private boolean inFlight;

    public FleetEventWriter(PostgresEvents events, String runner, long incarnation, Consumer<String> say) {
        this(events, runner, incarnation, say, RETRY_MS, MAX_QUEUED);
    }

    /**
     * @param retryMs   the pause after each failed send
     * @param maxQueued    at most this many events wait for the database
     */
    FleetEventWriter(PostgresEvents events, String runner, long incarnation, Consumer<String> say, long retryMs,
                     int maxQueued) {
        this.retryMs = retryMs;
        this.maxQueued = maxQueued;
        this.events = events;
        this.runner = runner;
        this.incarnation = incarnation;
        this.say = say;
        this.thread = DaemonThreads.daemon(this::run, "sr-fleet-events");
    }

    public FleetEventWriter start() {
        thread.start();
        return this;
    }

    /**
     * Sends the batch now, on the caller's thread, unless batches wait before it or the database
     * failed last time (then the caller queues it with {@link #offer} after its local append).
     *
     * @return true when the batch is in the table (stale events refused and counted as always)
     */
    public synchronized boolean sendNow(List<PostgresEvents.Written> batch) {
        if (batch.isEmpty()) {
            return true;
        }
        if (closing || inFlight || failures > 0 || !queue.isEmpty()) {
            return false;
        }
        return send(batch);
    }

    /** Queues events already in the local log; never blocks. */
    public synchronized void offer(List<PostgresEvents.Written> batch) {
        if (queue.size() + batch.size() > maxQueued) {
            notQueued.addAndGet(batch.size());
            if (!overflowSaid) {
                overflowSaid = true;
                say.accept("fleet event log: " + maxQueued + " events wait for PostgreSQL; newer ones stay in the"
                        + " local log only until it catches up (said once per episode)");
            }
            return;
        }
        queue.addAll(batch);
        notifyAll();
    }

    /** Events the database refused as stale (lease epoch no longer held). */
    public long staleRejected() {
        return stale.get();
    }

    /** Events not sent because too many waited. */
    public long notQueued() {
        return notQueued.get();
    }

    public long sent() {
        return sent.get();
    }

    /** Transactions tried, sent or not. */
    long attempts() {
        return attempts.get();
    }

    private void run() {
        List<PostgresEvents.Written> batch = new ArrayList<>();
        while (true) {
            synchronized (this) {
                while (batch.isEmpty() && queue.isEmpty() && !closing) {
                    waitQuietly(0);
                }
                if (batch.isEmpty() && queue.isEmpty()) {
                    return; // closing, all sent
                }
                while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
                    batch.add(queue.poll());
                }
                if (queue.isEmpty()) {
                    overflowSaid = false;
                }
                inFlight = true;
            }
            boolean sentIt = send(batch);
            synchronized (this) {
                inFlight = false;
                if (sentIt) {
                    batch.clear();
                } else {
                    if (closing) {
                        // back at the front, in order: close() counts them and says so (they were lost
                        // from its count when the database was down at stop: reviewer R7)
                        for (int i = batch.size() - 1; i >= 0; i--) {
                            queue.addFirst(batch.get(i));
                        }
                        return;
                    }
                    pauseBeforeRetry(retryMs);
                }
            }
        }
    }

    /** One transaction; false (said once per episode, {@link #failures} counted) when the database cannot be written. */
    private boolean send(List<PostgresEvents.Written> batch) {
        attempts.incrementAndGet();
        try {
            List<EventRecord> refused = events.insert(runner, incarnation, batch);
            sent.addAndGet(batch.size() - refused.size());
            if (!refused.isEmpty()) {
                stale.addAndGet(refused.size());
                say.accept("fleet event log: PostgreSQL refused " + refused.size() + " event(s) (profile "
                        + refused.get(0).profileId() + ", session " + refused.get(0).sessionId()
                        + ", ...): the session's end is in the table already (another runner's), or this runner"
                        + " never held the lease at the epoch they were written under; they stay in the local log only");
            }
            if (failures > 0) {
                say.accept("fleet event log: PostgreSQL works again after " + failures + " failed attempt(s)");
                failures = 0;
            }
            return true;
        } catch (StoreException | IllegalStateException e) {
            if (failures++ == 0) {
                say.accept("fleet event log: cannot write to PostgreSQL, retrying every " + retryMs + " ms; events stay in the"
                        + " local log meanwhile (said once until it works again): " + e.getMessage());
            }
            return false;
        }
    }

    /**
     * The whole pause, unless closing: a batch offered meanwhile wakes the wait (offer notifies)
     * but must not cut it short, or an outage under a busy loop is retried at every turn.
     */
    private void pauseBeforeRetry(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long left;
        while (!closing && (left = until - System.nanoTime()) > 0) {
            waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }

    private void waitQuietly(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            closing = true;
        }
    }

    /** Sends what is queued, waiting at most a few seconds (a database down at stop loses those copies). */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
            notifyAll();
        }
        try {
            thread.join(CLOSE_DRAIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (!queue.isEmpty()) {
                say.accept("fleet event log: " + queue.size() + " event(s) not sent to PostgreSQL at stop; they are in"
                        + " the local log, and the next start of this data dir sends them");
            }
        }
    }
}
