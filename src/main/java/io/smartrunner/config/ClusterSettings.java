package io.smartrunner.config;

/**
 * The {@code cluster} block (store.kind postgres only): how a runner's sessions are fenced as
 * processes (docs/cluster-fencing.md).
 *
 * @param watchdogMs how long the process watchdog outside the JVM waits without a sign of life
 *                   from the engine loop before it kills the runner and its sessions [6000]
 */
public record ClusterSettings(long watchdogMs) {
    public static final long DEFAULT_WATCHDOG_MS = 6_000;
    /**
     * The lease defaults (Kubernetes' leader election) the watchdog must stay under. The leases
     * slice owns them; until they are configurable the watchdog is checked against these.
     */
    public static final long LEASE_TTL_MS = 15_000;
    public static final long RENEW_DEADLINE_MS = 10_000;
    /** The engine loop is made to turn, and the watchdog fed, at least this often in cluster mode. */
    public static final long FEED_PERIOD_MS = 1_000;
    /** What killing the session trees and the runner may take, kept free below the renew deadline. */
    public static final long KILL_BUDGET_MS = 1_000;
    /** Below this a GC pause or a loaded machine would be taken for a frozen runner. */
    public static final long MIN_WATCHDOG_MS = 2_000;

    public static ClusterSettings defaults() {
        return new ClusterSettings(DEFAULT_WATCHDOG_MS);
    }

    /** The largest watchdog timeout that keeps {@code watchdog + feed period + kill time < renew deadline}. */
    public static long maxWatchdogMs(long renewDeadlineMs) {
        return renewDeadlineMs - FEED_PERIOD_MS - KILL_BUDGET_MS;
    }
}
