package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code cluster} block's lease timings: renewEveryMs < renewDeadlineMs < leaseTtlMs, and the watchdog under the deadline. */
class ConfigLeaseTimingsTest extends ConfigTestSupport {
    private static final String PG = "'store': {'kind': 'postgres', 'url': 'jdbc:postgresql://db1/fleet'}";

    @Test
    void defaultsAreKubernetesLeaseDefaults() {
        assertEquals(new ClusterSettings(6_000, 15_000, 2_000, 10_000), load("{" + PG + "}").cluster());
        assertEquals(ClusterSettings.defaults(), load("{}").cluster());
    }

    @Test
    void readsEveryKeyAndFitsTheDefaultWatchdogUnderAShortDeadline() {
        ClusterSettings c = load("{" + PG + ", 'cluster': {'leaseTtlMs': 6000, 'renewEveryMs': 500,"
                + " 'renewDeadlineMs': 5000}}").cluster();

        assertEquals(new ClusterSettings(3_000, 6_000, 500, 5_000), c);
    }

    @Test
    void theOrderOfTheTimingsIsCheckedNamingTheField() {
        assertContains("$.cluster.renewDeadlineMs: renewDeadlineMs 15000 is not below leaseTtlMs 15000, expected"
                + " renewEveryMs < renewDeadlineMs < leaseTtlMs",
                rejects("{" + PG + ", 'cluster': {'renewDeadlineMs': 15000}}"));
        assertContains("$.cluster.leaseTtlMs: renewDeadlineMs 10000 is not below leaseTtlMs 8000",
                rejects("{" + PG + ", 'cluster': {'leaseTtlMs': 8000}}"));
        assertContains("$.cluster.renewEveryMs: renewEveryMs 10000 is not below renewDeadlineMs 10000",
                rejects("{" + PG + ", 'cluster': {'renewEveryMs': 10000}}"));
        assertContains("$.cluster.renewDeadlineMs: leaseTtlMs 15000 leaves only 500 ms after renewDeadlineMs 14500,"
                + " expected at least 1000 ms between them",
                rejects("{" + PG + ", 'cluster': {'renewDeadlineMs': 14500}}"));
        assertContains("$.cluster.watchdogMs: 6000 is too large, expected milliseconds from 2000 (2 s) to 3000 (3 s):"
                + " the watchdog + 1000 ms feed period + 1000 ms to kill must end before the lease renew deadline"
                + " (5000 ms)", rejects("{" + PG + ", 'cluster': {'leaseTtlMs': 6000, 'renewDeadlineMs': 5000,"
                + " 'watchdogMs': 6000}}"));
        // no watchdog fits under a 3 s deadline: the deadline is named, with a range that can be met
        // (it said "from 2000 (2 s) to 1000 (1 s)", and blamed a watchdogMs never set)
        assertContains("$.cluster.renewDeadlineMs: renewDeadlineMs 3000 leaves no room for the watchdog, expected at"
                + " least 4000 ms", rejects("{" + PG + ", 'cluster': {'leaseTtlMs': 5000, 'renewEveryMs': 2000,"
                + " 'renewDeadlineMs': 3000}}"));
        assertContains("$.cluster.leaseTtl: unknown key", rejects("{" + PG + ", 'cluster': {'leaseTtl': 1}}"));
    }

    @Test
    void theSchemaListsTheKeys() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Path.of("config", "smart-runner.schema.json").toFile());
        List<String> keys = new ArrayList<>();
        schema.get("$defs").get("cluster").get("properties").fieldNames().forEachRemaining(keys::add);
        assertEquals(ClusterBinder.KEYS, keys);
        assertEquals(ClusterSettings.LEASE_TTL_MS,
                schema.get("$defs").get("cluster").get("properties").get("leaseTtlMs").get("default").asLong());
    }
}
