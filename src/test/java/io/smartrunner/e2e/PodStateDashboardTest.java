package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §2b on the dashboard, with the real runner and real Chromium: a pod whose five profiles
 * all fail opens its breaker, a pod whose session exits 78 (mapped to config) is held; each pod's
 * header says so.
 */
@Tag("browser")
class PodStateDashboardTest {
    @TempDir
    Path dir;
    private CliProcess runner;
    private HeadlessPage page;

    @AfterEach
    void stop() throws Exception {
        if (page != null) {
            page.close();
        }
        if (runner != null) {
            runner.process.destroy();
            runner.process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void eachPodShowsItsOpenBreakerOrItsHold() throws Exception {
        Path cfg = dir.resolve("runner.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 1"], "cooldownMs": 200,
                             "exitCodes": {"78": "config"}},
                 "recovery": {"steps": [], "verify": "none"},
                 "breaker": {"windowMs": 10000, "probeIntervalMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "a0", "session": {"command": ["/bin/sleep", "600"]}},
                                                        {"id": "a1", "session": {"command": ["/bin/sh", "-c", "exit 78"]}}]},
                          {"name": "podB", "profiles": [{"id": "b0"}, {"id": "b1"}, {"id": "b2"}, {"id": "b3"},
                                                        {"id": "b4"}]}]}
                """);
        runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        int port = runner.httpPort();
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1280, 900);
        page.await("podB's breaker shown open", "document.querySelector('tbody[data-pod=podB] .pod-breaker')"
                + "?.dataset.state === 'open'", 30_000);
        page.await("podA shown held", "document.querySelector('tbody[data-pod=podA] .pod-breaker')"
                + "?.dataset.state === 'held'", 30_000);
        String b = page.text("tbody[data-pod=podB] .pod-breaker");
        String a = page.text("tbody[data-pod=podA] .pod-breaker");
        assertTrue(b.startsWith("breaker open since ") && b.contains("probes 0"), b);
        assertTrue(a.startsWith("held since ") && a.endsWith("no new sessions"), a);
    }
}
