package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.browser.cdp.PageControl;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.http.RunnerHttpServer;
import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser ladder with a real Chromium and the runner's demo site: for each scenario the first
 * step that verifies healthy is the one expected, and the recover events come in ladder order.
 */
@Tag("browser")
class BrowserLadderScenariosTest {
    @TempDir
    Path dir;
    /** Generous: reopening or restarting a browser on 2 loaded cores can take several seconds. */
    private static final long STEP_TIMEOUT_MS = 20_000;
    /** The recover events' params of the last run, for failure messages. */
    private List<String> details = List.of();

    private List<String> ladder(String verifyExpression, BiConsumer<PageControl, String> breakIt) throws Exception {
        try (RunnerHttpServer site = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null).withDemoSite(true))) {
            String home = "http://127.0.0.1:" + site.port() + "/demo/";
            try (BrowserFleet fleet = new BrowserFleet(dir, List.of("/bin/sh", "-c",
                    "touch running; while [ ! -f go ]; do sleep 0.05; done; exit 1"), home, verifyExpression,
                    STEP_TIMEOUT_MS)) {
                CliProcess.await("the session runs", 60_000, () -> Files.exists(dir.resolve("running")));
                try (PageControl page = PageControl.open(fleet.browsers.current("p1"), Duration.ofSeconds(20))) {
                    breakIt.accept(page, home);
                }
                Files.createFile(dir.resolve("go"));
                CliProcess.await("the episode ended", 90_000, fleet::episodeEnded);
                details = fleet.events.stream().filter(e -> e.event().equals("recover"))
                        .map(e -> e.params().toString()).toList();
                return fleet.ladder();
            }
        }
    }

    @Test
    void brokenPageIsRepairedByGoToHomepage() throws Exception {
        assertEquals(List.of("goToHomepage:ok"), ladder("document.title === 'Demo home'",
                (page, home) -> page.navigate(home + "broken.html")));
    }

    @Test
    void pageLostByGoingHomeIsRepairedByBrowserBack() throws Exception {
        // the profile must be on its task page: going home is not enough, going back is
        assertEquals(List.of("goToHomepage:unhealthy", "browserBack:ok"), ladder("document.title === 'Demo task'",
                (page, home) -> page.navigate(home + "task.html")));
    }

    @Test
    void stateThatSurvivesTheBackForwardCacheIsRepairedByRefreshPage() throws Exception {
        // back restores the task page from the back-forward cache with its broken state; a reload does not
        assertEquals(List.of("goToHomepage:unhealthy", "browserBack:unhealthy", "refreshPage:ok"),
                ladder("document.title === 'Demo task' && !window.broken", (page, home) -> {
                    page.navigate(home + "task.html");
                    page.evaluate("window.broken = true");
                }));
    }

    @Test
    void closedTabIsRepairedByReopenProfile() throws Exception {
        assertEquals(List.of("goToHomepage:failed", "browserBack:failed", "refreshPage:failed", "reopenProfile:ok"),
                ladder("document.title === 'Demo home'", (page, home) -> page.closeTab()), () -> details.toString());
    }
}
