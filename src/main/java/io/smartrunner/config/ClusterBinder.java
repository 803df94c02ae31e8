package io.smartrunner.config;

import java.util.List;

/**
 * Binds the {@code cluster} block: renewEveryMs < renewDeadlineMs < leaseTtlMs (with at least
 * {@link #MIN_SLACK_MS} between the last two), and a watchdog that ends before the renew deadline.
 * It only means something with a PostgreSQL store, so with SQLite it is refused rather than
 * silently ignored.
 */
final class ClusterBinder {
    static final List<String> KEYS = List.of("watchdogMs", "leaseTtlMs", "renewEveryMs", "renewDeadlineMs");
    private static final long MAX_MS = 3_600_000;
    /** Room for the self-fencing check and the stop's grace between the renew deadline and the TTL. */
    static final long MIN_SLACK_MS = 1_000;

    private ClusterBinder() {
    }

    static ClusterSettings bind(JsonCursor block, StoreSettings store) {
        block.object(KEYS);
        if (block.isPresent() && store.kind() == StoreSettings.Kind.SQLITE) {
            throw block.fail("set while store.kind is \"sqlite\"", "store.kind \"postgres\", or no \"cluster\" block");
        }
        JsonCursor ttlValue = block.get("leaseTtlMs");
        JsonCursor everyValue = block.get("renewEveryMs");
        JsonCursor deadlineValue = block.get("renewDeadlineMs");
        long ttl = ttlValue.integer(ClusterSettings.LEASE_TTL_MS, 3, MAX_MS, Quantity.MILLIS);
        long every = everyValue.integer(ClusterSettings.RENEW_EVERY_MS, 1, MAX_MS, Quantity.MILLIS);
        long deadline = deadlineValue.integer(ClusterSettings.RENEW_DEADLINE_MS, 2, MAX_MS, Quantity.MILLIS);
        String expected = "renewEveryMs < renewDeadlineMs < leaseTtlMs";
        JsonCursor deadlineOrTtl = deadlineValue.isPresent() ? deadlineValue : ttlValue;
        if (deadline >= ttl) {
            throw deadlineOrTtl.fail("renewDeadlineMs " + deadline + " is not below leaseTtlMs " + ttl, expected);
        }
        if (ttl - deadline < MIN_SLACK_MS) {
            throw deadlineOrTtl.fail("leaseTtlMs " + ttl + " leaves only " + (ttl - deadline) + " ms after renewDeadlineMs "
                    + deadline, "at least " + MIN_SLACK_MS + " ms between them (a fenced runner's sessions must be"
                    + " stopped before its leases expire)");
        }
        if (every >= deadline) {
            JsonCursor named = everyValue.isPresent() ? everyValue : deadlineValue;
            throw named.fail("renewEveryMs " + every + " is not below renewDeadlineMs " + deadline, expected);
        }
        long max = ClusterSettings.maxWatchdogMs(deadline);
        if (max < ClusterSettings.MIN_WATCHDOG_MS) {
            // no watchdog fits at all: the deadline is what to change, whatever watchdogMs says
            long least = deadline - max + ClusterSettings.MIN_WATCHDOG_MS;
            throw deadlineOrTtl.fail("renewDeadlineMs " + deadline + " leaves no room for the watchdog", "at least "
                    + least + " ms (the shortest watchdog, " + ClusterSettings.MIN_WATCHDOG_MS + " ms, + "
                    + ClusterSettings.FEED_PERIOD_MS + " ms feed period + " + ClusterSettings.KILL_BUDGET_MS
                    + " ms to kill must end before it), with leaseTtlMs at least " + MIN_SLACK_MS + " ms above it");
        }
        JsonCursor watchdog = block.get("watchdogMs");
        long ms = watchdog.integer(Math.min(ClusterSettings.DEFAULT_WATCHDOG_MS, Math.max(max,
                ClusterSettings.MIN_WATCHDOG_MS)), ClusterSettings.MIN_WATCHDOG_MS, Long.MAX_VALUE, Quantity.MILLIS);
        if (ms > max) {
            JsonCursor named = watchdog.isPresent() ? watchdog : deadlineValue;
            throw named.fail((watchdog.isPresent() ? watchdog.shown() + " is too large" : "renewDeadlineMs " + deadline
                    + " leaves no room for the watchdog"), Quantity.MILLIS.range(ClusterSettings.MIN_WATCHDOG_MS, max)
                    + ": the watchdog + " + ClusterSettings.FEED_PERIOD_MS + " ms feed period + "
                    + ClusterSettings.KILL_BUDGET_MS + " ms to kill must end before the lease renew deadline ("
                    + deadline + " ms)");
        }
        return new ClusterSettings(ms, ttl, every, deadline);
    }
}
