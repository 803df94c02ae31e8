package io.smartrunner.cluster;

import io.smartrunner.DaemonThreads;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ClusterSettings;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.store.PostgresMembers;
import io.smartrunner.time.TimeSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This runner's membership of the fleet: joined at start (or refused), a heartbeat every
 * {@link #HEARTBEAT_MS} on a thread of its own (never the engine loop), left on a graceful stop.
 *
 * <p>A failing heartbeat (database lost) is said once per episode, retried every half period, at
 * most every {@link #MAX_RETRY_MS} (each attempt on a fresh connection, refused at once while the
 * database is down), so a heartbeat lands within about a second of the database answering again,
 * well inside the renew deadline; it is a {@link #problem()} for {@code /readyz} until one does.
 * (It was a backoff to twice the period: with the pool's own refill backoff, heartbeats resumed
 * 4.5-8 s after a 6.5 s outage, and every runner fenced itself.)
 */
public final class Membership implements AutoCloseable {
    /**
     * How long a runner stays a member without a heartbeat: a name whose heartbeat is older is
     * free to take. Kubernetes' lease default; the leases of issue #11 point 3 will use the same.
     */
    public static final long TTL_MS = 15_000;
    /** Heartbeat period (Kubernetes' renew period); 7 heartbeats fit in a TTL. */
    public static final long HEARTBEAT_MS = 2_000;
    static final long MAX_RETRY_MS = 1_000;

    private final PostgresMembers members;
    private final long ttlMs;
    private final long everyMs;
    private final long retryMs;
    private final LongSupplier nanoTime;
    /** Told after each successful heartbeat, with the monotonic time it was sent (the lease keeper). */
    private volatile LongConsumer afterBeat = sent -> { };
    /** Run on a graceful stop just before leaving (the lease keeper frees its leases). */
    private volatile Runnable beforeLeave = () -> { };
    /** The delay after a successful heartbeat, given the period (the lease keeper wakes at another runner's expiry). */
    private volatile java.util.function.LongUnaryOperator pace = periodMs -> periodMs;
    private final String name;
    private final int capacity;
    private final long incarnation;
    private final DatabaseClock clock;
    private final Consumer<String> say;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("sr-heartbeat"));
    private volatile Supplier<Integer> sessions = () -> null;
    private volatile String problem;
    private int failures;

    private Membership(PostgresMembers members, RunnerSettings runner, ClusterSettings timings, LongSupplier nanoTime,
                       long incarnation, DatabaseClock clock, Consumer<String> say) {
        this.members = members;
        this.ttlMs = timings.leaseTtlMs();
        this.everyMs = timings.renewEveryMs();
        this.retryMs = retryMs(everyMs);
        this.nanoTime = nanoTime;
        this.name = runner.name();
        this.capacity = runner.globalConcurrency();
        this.incarnation = incarnation;
        this.clock = clock;
        this.say = say;
    }

    /**
     * Joins under {@code runner.name}, on this machine's clocks.
     *
     * @throws io.smartrunner.store.NameTakenException a live runner has the name (exit 1)
     */
    public static Membership join(PostgresMembers members, RunnerSettings runner, String host, long pid,
                                  Consumer<String> say) {
        return join(members, runner, ClusterSettings.defaults(), TimeSource.system(), host, pid, say);
    }

    /** Joins with these lease timings, heartbeats timed on {@code nanoTime} (a test's), walls on this machine's clock. */
    public static Membership join(PostgresMembers members, RunnerSettings runner, ClusterSettings timings,
                                  LongSupplier nanoTime, String host, long pid, Consumer<String> say) {
        return join(members, runner, timings, new TimeSource() {
            @Override
            public java.time.Instant now() {
                return TimeSource.system().now();
            }

            @Override
            public long nanoTime() {
                return nanoTime.getAsLong();
            }
        }, host, pid, say);
    }

    /**
     * Joins with these lease timings (TTL, heartbeat period); {@code local} times each heartbeat's
     * send and carries the database's clock between heartbeats ({@link #clock()}).
     */
    public static Membership join(PostgresMembers members, RunnerSettings runner, ClusterSettings timings,
                                  TimeSource local, String host, long pid, Consumer<String> say) {
        long sent = local.nanoTime();
        PostgresMembers.Joined joined = members.join(new PostgresMembers.Joiner(runner.name(), runner.labels(), host,
                pid, runner.globalConcurrency()), timings.leaseTtlMs());
        DatabaseClock clock = DatabaseClock.firstRead(joined.databaseNow(), sent, local.nanoTime(), local, say);
        return new Membership(members, runner, timings, local::nanoTime, joined.incarnation(), clock, say);
    }

    /** The lease keeper: renewed after each successful heartbeat, its leases freed before leaving. */
    public void keep(LeaseKeeper keeper) {
        this.afterBeat = keeper::renewed;
        this.beforeLeave = keeper::releaseAll;
        this.pace = keeper::paceMs;
    }

    /** @param sessions sessions running now, or null when unknown (the last figure stays) */
    public void startHeartbeat(Supplier<Integer> sessions) {
        sessionsFrom(sessions);
        // at once: the first heartbeat after start-up is also the lease keeper's first chance to take leases
        timer.schedule(this::beat, 0, TimeUnit.MILLISECONDS);
    }

    void sessionsFrom(Supplier<Integer> sessions) {
        this.sessions = sessions;
    }

    public long incarnation() {
        return incarnation;
    }

    /** The cluster's wall clock: the database's, as of the last heartbeat, carried by the monotonic clock. */
    public DatabaseClock clock() {
        return clock;
    }

    /** Why the membership is not sound right now (heartbeat failing, name taken over), or null. */
    public String problem() {
        return problem;
    }

    private void beat() {
        long next = beatOnce();
        try {
            timer.schedule(this::beat, next, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closed meanwhile: no next heartbeat
        }
    }

    /** One heartbeat, on the heartbeat thread (or a test's); returns the delay until the next one. */
    long beatOnce() {
        long next = everyMs;
        try {
            long sent = nanoTime.getAsLong();
            PostgresMembers.Beat beat = members.heartbeat(incarnation, name, sessions.get(), capacity);
            clock.read(beat.databaseNow(), sent, nanoTime.getAsLong());
            if (beat.held()) {
                if (failures > 0) {
                    say.accept("heartbeat to " + members.where() + " works again after " + failures
                            + " failed attempt(s)");
                }
                failures = 0;
                problem = null;
                afterBeat.accept(sent);
                next = pace.applyAsLong(everyMs);
            } else {
                if (problem == null || !problem.startsWith("runner name")) {
                    say.accept("runner name \"" + name + "\" was taken over by another runner while this one's"
                            + " heartbeat was stale; this runner is no longer a member (restart it to rejoin)");
                }
                problem = "runner name \"" + name + "\" was taken over by another runner (this one's heartbeat"
                        + " was stale)";
            }
        } catch (SmartRunnerException e) {
            if (failures++ == 0) {
                say.accept("heartbeat failed, retrying every " + retryMs + " ms (said once until it works again): "
                        + e.getMessage());
            }
            problem = "cluster heartbeat failing (" + failures + " attempt(s)): " + e.getMessage();
            next = retryMs;
        } catch (RuntimeException e) {
            problem = "cluster heartbeat failing: " + e;
            say.accept("heartbeat: unexpected error: " + e);
        }
        return next;
    }

    /** How soon a failed heartbeat is tried again: half the period, at most {@link #MAX_RETRY_MS}. */
    static long retryMs(long everyMs) {
        return Math.max(1, Math.min(MAX_RETRY_MS, everyMs / 2));
    }

    /** Stops the heartbeat and leaves (the name is free at once); a failure to leave is said, not thrown. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        beforeLeave.run();
        try {
            members.leave(incarnation);
        } catch (SmartRunnerException e) {
            say.accept("could not mark runner \"" + name + "\" stopped (its name frees itself after "
                    + ttlMs / 1000 + " s): " + e.getMessage());
        }
    }
}
