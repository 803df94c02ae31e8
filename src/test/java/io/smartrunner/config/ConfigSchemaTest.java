package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** config/smart-runner.schema.json stays in step with what the loader accepts. */
class ConfigSchemaTest {
    private static JsonNode schema;

    @BeforeAll
    static void readSchema() throws IOException {
        schema = new ObjectMapper().readTree(Path.of("config", "smart-runner.schema.json").toFile());
    }

    @Test
    void isDraft202012() {
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
    }

    @Test
    void objectsListTheKeysTheLoaderAccepts() {
        assertKeys(ConfigBinder.ROOT_KEYS, schema);
        assertKeys(ConfigBinder.RUNNER_KEYS, def("runner"));
        assertKeys(BrowserBinder.KEYS, def("browser"));
        assertKeys(BrowserBinder.CHROMIUM_KEYS, def("chromium"));
        assertKeys(BrowserBinder.ADSPOWER_KEYS, def("adspower"));
        assertKeys(BrowserBinder.RECYCLE_KEYS, def("recycle"));
        assertKeys(ConfigBinder.HTTP_KEYS, def("http"));
        assertKeys(AlertsBinder.KEYS, def("alerts"));
        assertKeys(AlertsBinder.WEBHOOK_KEYS, def("webhook"));
        assertKeys(AlertsBinder.FAILURE_RATE_KEYS, def("failureRate"));
        assertKeys(SessionBinder.KEYS, def("session"));
        assertKeys(RecoveryBinder.KEYS, def("recovery"));
        assertKeys(StepBinder.HTTP_KEYS, def("httpStep"));
        assertKeys(StepBinder.VERIFY_KEYS, def("verify").get("oneOf").get(1));
        assertKeys(PodBinder.POD_KEYS, def("pod"));
        assertKeys(PodBinder.PROFILE_KEYS, def("profile"));
        assertKeys(ClusterBinder.KEYS, def("cluster"));
    }

    @Test
    void podNamesAndProfileIdsHaveTheLoadersPattern() {
        assertEquals("^" + ProfileId.PATTERN_TEXT + "$", def("id").get("pattern").asText());
        assertEquals("#/$defs/id", prop("pod", "name").get("$ref").asText());
        assertEquals("#/$defs/id", prop("profile", "id").get("$ref").asText());
    }

    @Test
    void builtinStepsMatchTheRecords() {
        List<String> names = new ArrayList<>();
        def("step").get("oneOf").get(0).get("enum").forEach(n -> names.add(n.asText()));
        assertEquals(RecoverySettings.BROWSER_STEPS, names);
    }

    @Test
    void defaultsMatchTheRecords() {
        assertEquals(SessionSettings.DEFAULT_TIMEOUT_MS, prop("session", "timeoutMs").get("default").asLong());
        assertEquals(SessionSettings.DEFAULT_LOG_MAX_BYTES, prop("session", "logMaxBytes").get("default").asLong());
        assertEquals(RecoverySettings.DEFAULT_PAUSE_DURATION_MS,
                prop("recovery", "pauseDurationMs").get("default").asLong());
        assertEquals(RunnerSettings.DEFAULT_GLOBAL_CONCURRENCY,
                prop("runner", "globalConcurrency").get("default").asInt());
        assertEquals(HttpSettings.defaults().port(), prop("http", "port").get("default").asInt());
        BrowserSettings browser = BrowserSettings.defaults();
        assertEquals(browser.provider().name().toLowerCase(java.util.Locale.ROOT),
                prop("browser", "provider").get("default").asText());
        assertEquals(browser.startTimeoutMs(), prop("browser", "startTimeoutMs").get("default").asLong());
        assertEquals(browser.closeOnPause(), prop("browser", "closeOnPause").get("default").asBoolean());
        assertEquals(browser.closeOnExit(), prop("browser", "closeOnExit").get("default").asBoolean());
        assertEquals(browser.chromium().headless(), prop("chromium", "headless").get("default").asBoolean());
        assertEquals(browser.adspower().baseUrl(), prop("adspower", "baseUrl").get("default").asText());
        assertEquals(browser.adspower().requestsPerSecond(),
                prop("adspower", "requestsPerSecond").get("default").asDouble());
        assertEquals(browser.adspower().retries(), prop("adspower", "retries").get("default").asInt());
        assertEquals(browser.adspower().stopPollTimeoutMs(),
                prop("adspower", "stopPollTimeoutMs").get("default").asLong());
    }

    @Test
    void alertDefaultsAndRuleNamesMatchTheRecords() {
        AlertSettings alerts = AlertSettings.defaults();
        assertEquals(alerts.queueSize(), prop("alerts", "queueSize").get("default").asInt());
        assertEquals(alerts.retries(), prop("alerts", "retries").get("default").asInt());
        assertEquals(alerts.retryBackoffMs(), prop("alerts", "retryBackoffMs").get("default").asLong());
        assertEquals(alerts.timeoutMs(), prop("alerts", "timeoutMs").get("default").asLong());
        List<String> on = new ArrayList<>();
        prop("alerts", "on").get("default").forEach(n -> on.add(n.asText()));
        assertEquals(AlertsBinder.TRIGGERS, on);
        List<String> names = new ArrayList<>();
        prop("alerts", "on").get("items").get("enum").forEach(n -> names.add(n.asText()));
        assertEquals(AlertsBinder.TRIGGERS, names);
        AlertSettings.FailureRate rate = alerts.failureRate();
        assertEquals(rate.thresholdPercent(), prop("failureRate", "thresholdPercent").get("default").asInt());
        assertEquals(rate.windowMs(), prop("failureRate", "windowMs").get("default").asLong());
        assertEquals(rate.minSessions(), prop("failureRate", "minSessions").get("default").asInt());
        assertEquals(rate.cooldownMs(), prop("failureRate", "cooldownMs").get("default").asLong());
    }

    private static JsonNode def(String name) {
        return schema.get("$defs").get(name);
    }

    private static JsonNode prop(String def, String key) {
        return def(def).get("properties").get(key);
    }

    private static void assertKeys(List<String> loaderKeys, JsonNode object) {
        Set<String> schemaKeys = new TreeSet<>();
        object.get("properties").fieldNames().forEachRemaining(schemaKeys::add);
        assertEquals(new TreeSet<>(loaderKeys), schemaKeys);
        assertEquals(false, object.get("additionalProperties").asBoolean(true));
    }
}
