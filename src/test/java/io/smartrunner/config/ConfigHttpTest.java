package io.smartrunner.config;

import static io.smartrunner.config.ConfigTestSupport.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code http} block's keys for hosts, the demo site, health and slow clients. */
class ConfigHttpTest extends ConfigTestSupport {
    @Test
    void defaultsAreNoDemoSiteNoExtraHostsAndTheDocumentedLimits() {
        HttpSettings http = load("{}").http();
        assertFalse(http.demoSite());
        assertEquals(List.of(), http.allowedHosts());
        assertEquals(30_000, http.livenessTimeoutMs());
        assertEquals(10_000, http.requestTimeoutMs());
        assertEquals(512, http.maxConnections());
        assertEquals(32, http.maxConnectionsPerClient());
    }

    @Test
    void readsEveryKey() {
        HttpSettings http = load("{'http': {'allowedHosts': ['runner.lan', 'runner.lan:8080', '[::1]'], 'demoSite': true,"
                + " 'livenessTimeoutMs': 60000, 'requestTimeoutMs': 20000, 'maxConnections': 100,"
                + " 'maxConnectionsPerClient': 8}}").http();
        assertEquals(List.of("runner.lan", "runner.lan:8080", "[::1]"), http.allowedHosts());
        assertTrue(http.demoSite());
        assertEquals(60_000, http.livenessTimeoutMs());
        assertEquals(20_000, http.requestTimeoutMs());
        assertEquals(100, http.maxConnections());
        assertEquals(8, http.maxConnectionsPerClient());
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheField() {
        assertContains("$.http.allowedHosts[0]: \"runner lan/x\" is not a host name",
                rejects("{'http': {'allowedHosts': ['runner lan/x']}}"));
        assertContains("$.http.allowedHosts", rejects("{'http': {'allowedHosts': 'runner.lan'}}"));
        assertContains("$.http.demoSite", rejects("{'http': {'demoSite': 'yes'}}"));
        assertContains("$.http.requestTimeoutMs", rejects("{'http': {'requestTimeoutMs': 1000}}"));
        assertContains("$.http.livenessTimeoutMs", rejects("{'http': {'livenessTimeoutMs': 5000}}"));
        assertContains("$.http.maxConnectionsPerClient", rejects("{'http': {'maxConnectionsPerClient': 0}}"));
    }

    @Test
    void theDemoConfigsTurnTheDemoSiteOn() {
        assertTrue(ConfigLoader.load(Path.of("config", "smart-runner.json"), Map.of()).http().demoSite());
        assertTrue(ConfigLoader.load(Path.of("config", "no-browser.json"), Map.of()).http().demoSite());
    }
}
