package io.smartrunner.config;

import java.util.List;

/**
 * Binds the {@code cluster} block. It only means something with a PostgreSQL store, so with SQLite
 * it is refused rather than silently ignored.
 */
final class ClusterBinder {
    static final List<String> KEYS = List.of("watchdogMs");

    private ClusterBinder() {
    }

    static ClusterSettings bind(JsonCursor block, StoreSettings store) {
        block.object(KEYS);
        if (block.isPresent() && store.kind() == StoreSettings.Kind.SQLITE) {
            throw block.fail("set while store.kind is \"sqlite\"", "store.kind \"postgres\", or no \"cluster\" block");
        }
        long max = ClusterSettings.maxWatchdogMs(ClusterSettings.RENEW_DEADLINE_MS);
        JsonCursor watchdog = block.get("watchdogMs");
        long ms = watchdog.integer(ClusterSettings.DEFAULT_WATCHDOG_MS, ClusterSettings.MIN_WATCHDOG_MS,
                Long.MAX_VALUE, Quantity.MILLIS);
        if (ms > max) {
            throw watchdog.fail(watchdog.shown() + " is too large",
                    Quantity.MILLIS.range(ClusterSettings.MIN_WATCHDOG_MS, max) + ": the watchdog + " + ClusterSettings.FEED_PERIOD_MS + " ms feed period + "
                    + ClusterSettings.KILL_BUDGET_MS + " ms to kill must end before the lease renew deadline ("
                    + ClusterSettings.RENEW_DEADLINE_MS + " ms)");
        }
        return new ClusterSettings(ms);
    }
}
