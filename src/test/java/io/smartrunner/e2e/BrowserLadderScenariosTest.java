package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.browser.BrowserActions;
import io.smartrunner.browser.ChromiumProvider;
import io.smartrunner.browser.PageControl;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.engine.SupervisorDeps;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.http.RunnerHttpServer;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.recovery.ProcessRecoveryActions;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.time.TimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser ladder with a real Chromium and the runner's demo site: for each scenario the first
 * step that verifies healthy is the one expected, and the recover events come in ladder order.
 */
class BrowserLadderScenariosTest {
    @TempDir
    Path dir;
    /** Generous: reopening or restarting a browser on 2 loaded cores can take several seconds. */
    private static final long STEP_TIMEOUT_MS = 20_000;
    /** The recover events' params of the last run, for failure messages. */
    private List<String> details = List.of();

    private List<String> ladder(String verifyExpression, BiConsumer<PageControl, String> breakIt) throws Exception {
        List<EventRecord> events = new CopyOnWriteArrayList<>();
        try (RunnerHttpServer site = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            String home = "http://127.0.0.1:" + site.port() + "/demo/";
            SessionSettings d = SessionSettings.defaults();
            SessionSettings session = new SessionSettings(List.of("/bin/sh", "-c",
                    "touch running; while [ ! -f go ]; do sleep 0.05; done; exit 1"), Map.of(), dir, 60_000, 0, 600_000,
                    300, d.logMaxBytes(), 2, 4096);
            RecoverySettings recovery = new RecoverySettings(5, 0, 10, 86_400_000, 1.0, 7 * 86_400_000L, STEP_TIMEOUT_MS, 4,
                    RecoverySettings.BROWSER_STEPS.stream().map(n -> (StepConfig) new StepConfig.Builtin(n)).toList(),
                    new VerifyConfig.Browser());
            BrowserSettings b = BrowserSettings.defaults();
            BrowserSettings browser = new BrowserSettings(BrowserSettings.Provider.CHROMIUM, b.chromium(), b.adspower(),
                    true, true, 30_000);
            ProfileConfig p1 = new ProfileConfig("p1", "podA", home, session, verifyExpression, null);
            RunnerSettings r = RunnerSettings.defaults();
            RunnerConfig config = new RunnerConfig(Path.of("t.json"), new RunnerSettings(4, dir, dir.resolve("events.jsonl"),
                    RunnerSettings.FsyncPolicy.NEVER, 1000, 0, r.sqliteSynchronous()), session, recovery, browser,
                    HttpSettings.defaults(), List.of(new PodConfig("podA", 4, List.of(p1))), Set.of());
            ProcessLauncher launcher = PosixSpawnLauncher.best();
            try (SqliteStateStore store = SqliteStateStore.open(dir.resolve("state.db"), r.sqliteSynchronous());
                 JsonlEventSink sink = JsonlEventSink.open(dir.resolve("events.jsonl"), RunnerSettings.FsyncPolicy.NEVER, 1000);
                 ChromiumProvider browsers = new ChromiumProvider(browser, dir.resolve("browsers"), dir.resolve("logs"),
                         launcher, store.runnerId())) {
                Supervisor supervisor = new Supervisor(config, new SupervisorDeps(store, sink, launcher,
                        new ProcFsProcessTable(), TimeSource.system(), new Random(), dir.resolve("logs"), events::addAll,
                        line -> { }, Executors.newFixedThreadPool(2),
                        new ProcessRecoveryActions(launcher, dir.resolve("logs"), store.runnerId(), STEP_TIMEOUT_MS,
                                new BrowserActions(browsers, Duration.ofMillis(STEP_TIMEOUT_MS))), browsers));
                Thread loop = new Thread(supervisor::run, "supervisor");
                loop.start();
                try {
                    CliProcess.await("the session runs", 60_000, () -> Files.exists(dir.resolve("running")));
                    try (PageControl page = PageControl.open(browsers.current("p1"), Duration.ofSeconds(20))) {
                        breakIt.accept(page, home);
                    }
                    Files.createFile(dir.resolve("go"));
                    CliProcess.await("the episode ended", 90_000, () -> events.stream().anyMatch(e -> e.event().equals("recover")
                            && ("ok".equals(e.outcome()) || "exhausted".equals(e.outcome()))));
                } finally {
                    supervisor.requestStop();
                    loop.join(60_000);
                }
            }
        }
        details = events.stream().filter(e -> e.event().equals("recover")).map(e -> e.params().toString()).toList();
        return events.stream().filter(e -> e.event().equals("recover"))
                .map(e -> e.params().get("action") + ":" + e.outcome()).toList();
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
