package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code cluster} block: lease timings, renewEveryMs < renewDeadlineMs < leaseTtlMs. */
class ConfigClusterTest extends ConfigTestSupport {
    @Test
    void defaultsAreKubernetesLeaseDefaults() {
        assertEquals(new ClusterSettings(15_000, 2_000, 10_000), load("{}").store().cluster());
    }

    @Test
    void readsEveryKey() {
        ClusterSettings c = load("{'cluster': {'leaseTtlMs': 3000, 'renewEveryMs': 500, 'renewDeadlineMs': 2000}}")
                .store().cluster();

        assertEquals(new ClusterSettings(3000, 500, 2000), c);
    }

    @Test
    void theOrderOfTheTimingsIsCheckedNamingTheField() {
        assertContains("$.cluster.renewDeadlineMs: renewDeadlineMs 15000 is not below leaseTtlMs 15000, expected"
                + " renewEveryMs < renewDeadlineMs < leaseTtlMs", rejects("{'cluster': {'renewDeadlineMs': 15000}}"));
        assertContains("$.cluster.leaseTtlMs: renewDeadlineMs 10000 is not below leaseTtlMs 8000",
                rejects("{'cluster': {'leaseTtlMs': 8000}}"));
        assertContains("$.cluster.renewEveryMs: renewEveryMs 10000 is not below renewDeadlineMs 10000",
                rejects("{'cluster': {'renewEveryMs': 10000}}"));
        assertContains("$.cluster.renewDeadlineMs: leaseTtlMs 15000 leaves only 500 ms after renewDeadlineMs 14500,"
                + " expected at least 1000 ms between them", rejects("{'cluster': {'renewDeadlineMs': 14500}}"));
        assertContains("$.cluster.leaseTtl: unknown key, did you mean \"leaseTtlMs\"?",
                rejects("{'cluster': {'leaseTtl': 1}}"));
    }

    @Test
    void theSchemaListsTheKeys() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Path.of("config", "smart-runner.schema.json").toFile());
        List<String> keys = new ArrayList<>();
        schema.get("$defs").get("cluster").get("properties").fieldNames().forEachRemaining(keys::add);
        assertEquals(ClusterBinder.KEYS, keys);
        assertEquals(ClusterSettings.defaults().leaseTtlMs(),
                schema.get("$defs").get("cluster").get("properties").get("leaseTtlMs").get("default").asLong());
    }
}
