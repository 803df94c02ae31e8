package io.smartrunner.config;

/**
 * The {@code cluster} block (store.kind postgres only): lease timings (docs/cluster-leases.md) and
 * how a runner's sessions are fenced as processes (docs/cluster-fencing.md). Every judgment of a
 * lease's age uses the database clock; the renew deadline is measured on the runner's monotonic
 * clock from the moment its last successful heartbeat was sent.
 *
 * @param watchdogMs      how long the process watchdog outside the JVM waits without a sign of life
 *                        from the engine loop before it kills the runner and its sessions [6000]
 * @param leaseTtlMs      a runner without a heartbeat for this long has lost its leases [15000]
 * @param renewEveryMs    the heartbeat period, which renews all of a runner's leases at once [2000]
 * @param renewDeadlineMs a runner whose last successful heartbeat was sent longer ago stops its
 *                        sessions and starts none (self-fencing) [10000]
 */
public record ClusterSettings(long watchdogMs, long leaseTtlMs, long renewEveryMs, long renewDeadlineMs) {
    public static final long DEFAULT_WATCHDOG_MS = 6_000;
    /** The lease defaults (Kubernetes' leader election). */
    public static final long LEASE_TTL_MS = 15_000;
    public static final long RENEW_EVERY_MS = 2_000;
    public static final long RENEW_DEADLINE_MS = 10_000;
    /** The engine loop is made to turn, and the watchdog fed, at least this often in cluster mode. */
    public static final long FEED_PERIOD_MS = 1_000;
    /** What killing the session trees and the runner may take, kept free below the renew deadline. */
    public static final long KILL_BUDGET_MS = 1_000;
    /** Below this a GC pause or a loaded machine would be taken for a frozen runner. */
    public static final long MIN_WATCHDOG_MS = 2_000;

    /** This watchdog with the default lease timings. */
    public ClusterSettings(long watchdogMs) {
        this(watchdogMs, LEASE_TTL_MS, RENEW_EVERY_MS, RENEW_DEADLINE_MS);
    }

    public static ClusterSettings defaults() {
        return new ClusterSettings(DEFAULT_WATCHDOG_MS);
    }

    /** These lease timings with the default watchdog. */
    public static ClusterSettings leases(long leaseTtlMs, long renewEveryMs, long renewDeadlineMs) {
        return new ClusterSettings(DEFAULT_WATCHDOG_MS, leaseTtlMs, renewEveryMs, renewDeadlineMs);
    }

    /**
     * How long one write on the engine loop's thread may wait for the database: for a pooled
     * connection, then for each of the server's answers. A turn makes at most two writes (the
     * fleet's events, then the state rows), each waiting twice at worst (a dead pooled connection,
     * then a new one that cannot be made), so four waits fit in the watchdog's timeout with a third
     * to spare: the loop keeps turning through a database outage, the watchdog stays fed, and the
     * runner fences itself at the renew deadline instead of being killed (docs/cluster-leases.md).
     */
    public long storeWaitMs() {
        return Math.max(250, Math.min(2_000, watchdogMs / 6));
    }

    /** The largest watchdog timeout that keeps {@code watchdog + feed period + kill time < renew deadline}. */
    public static long maxWatchdogMs(long renewDeadlineMs) {
        return renewDeadlineMs - FEED_PERIOD_MS - KILL_BUDGET_MS;
    }
}
