package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The {@code cluster} block: the process watchdog's timeout, kept inside the fencing inequality. */
class ConfigClusterTest extends ConfigTestSupport {
    private static final String PG = "'store': {'kind': 'postgres', 'url': 'jdbc:postgresql://db1/fleet'}";

    @Test
    void defaultsToSixSecondsAndReadsTheKey() {
        assertEquals(6_000, load("{" + PG + "}").cluster().watchdogMs());
        assertEquals(6_000, load("{}").cluster().watchdogMs());
        assertEquals(3_000, load("{" + PG + ", 'cluster': {'watchdogMs': 3000}}").cluster().watchdogMs());
        assertEquals(8_000, load("{" + PG + ", 'cluster': {'watchdogMs': 8000}}").cluster().watchdogMs());
    }

    @Test
    void aTimeoutThatBreaksTheInequalityIsRefusedSayingWhy() {
        assertContains("$.cluster.watchdogMs: 8001 is too large, expected milliseconds from 2000 (2 s) to 8000 (8 s):"
                + " the watchdog + 1000 ms feed period + 1000 ms to kill must end before the lease renew deadline"
                + " (10000 ms)", rejects("{" + PG + ", 'cluster': {'watchdogMs': 8001}}"));
        assertContains("$.cluster.watchdogMs: 1999 is too small, expected milliseconds from 2000 (2 s)",
                rejects("{" + PG + ", 'cluster': {'watchdogMs': 1999}}"));
        assertContains("$.cluster.watchdogMs: \"6s\" is a string",
                rejects("{" + PG + ", 'cluster': {'watchdogMs': '6s'}}"));
        assertContains("$.cluster.watchdogMS: unknown key, did you mean \"watchdogMs\"?",
                rejects("{" + PG + ", 'cluster': {'watchdogMS': 6000}}"));
    }

    @Test
    void theBlockIsRefusedWithSqlite() {
        assertContains("$.cluster: set while store.kind is \"sqlite\", expected store.kind \"postgres\", or no"
                + " \"cluster\" block", rejects("{'cluster': {'watchdogMs': 6000}}"));
    }

    /** A write on the loop's thread gives up in time for the watchdog (docs/cluster-leases.md, "Database lost while running"). */
    @Test
    void theStoresWaitIsASixthOfTheWatchdogWithinItsBounds() {
        assertEquals(1_000, ClusterSettings.defaults().storeWaitMs());
        assertEquals(io.smartrunner.store.PostgresStateStore.DEFAULT_WAIT_MS, ClusterSettings.defaults().storeWaitMs(),
                "the store's default is the default watchdog's");
        assertEquals(333, new ClusterSettings(ClusterSettings.MIN_WATCHDOG_MS).storeWaitMs());
        assertEquals(2_000, new ClusterSettings(60_000, 120_000, 2_000, 100_000).storeWaitMs());
        for (long watchdog = ClusterSettings.MIN_WATCHDOG_MS; watchdog <= ClusterSettings.maxWatchdogMs(
                ClusterSettings.RENEW_DEADLINE_MS); watchdog += 500) {
            long wait = new ClusterSettings(watchdog).storeWaitMs();
            assertEquals(true, 4 * wait <= watchdog * 2 / 3 + 1, "four waits within two thirds of " + watchdog + " ms");
        }
    }
}
