package io.smartrunner.config;

/**
 * The {@code cluster} block: lease timings of cluster mode (docs/cluster-leases.md). Every
 * judgment of a lease's age uses the database clock; the renew deadline is measured on the
 * runner's monotonic clock from the moment its last successful heartbeat was sent.
 *
 * @param leaseTtlMs      a runner without a heartbeat for this long has lost its leases [15000]
 * @param renewEveryMs    the heartbeat period, which renews all of a runner's leases at once [2000]
 * @param renewDeadlineMs a runner whose last successful heartbeat was sent longer ago stops its
 *                        sessions and starts none (self-fencing) [10000]
 */
public record ClusterSettings(long leaseTtlMs, long renewEveryMs, long renewDeadlineMs) {
    /** Kubernetes' leader election defaults. */
    public static ClusterSettings defaults() {
        return new ClusterSettings(15_000, 2_000, 10_000);
    }
}
