package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard in a real headless Chromium shows a banner while a real runner holds starts for memory. */
@Tag("browser")
class DashboardPressureBannerTest {
    @TempDir
    Path dir;

    @Test
    void theBannerSaysWhyNewSessionsWait() throws Exception {
        Path cfg = dir.resolve("held.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "minFreeMemoryMb": 1048576}, "http": {"port": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 0},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try (HeadlessPage page = HeadlessPage.open(dir, "http://127.0.0.1:" + runner.httpPort() + "/", 1280, 800)) {
            page.await("the banner", "!document.getElementById('runner-banner').hidden", 30_000);
            String text = page.text("#runner-banner");
            assertTrue(text.startsWith("new sessions held since ") && text.contains("runner.minFreeMemoryMb 1048576"),
                    text);
            // it floats over the page: the fleet is where it would be without it (no row moves when it comes or goes)
            String fleetTop = "document.getElementById('fleet').getBoundingClientRect().top";
            double withBanner = page.eval(fleetTop).asDouble();
            page.eval("document.getElementById('runner-banner').hidden = true");
            assertEquals(withBanner, page.eval(fleetTop).asDouble(), "the fleet's top without the banner");
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
    }
}
