package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.browser.BrowserActions;
import io.smartrunner.browser.ChromiumProvider;
import io.smartrunner.config.BrowserSettings;
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
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.recovery.ProcessRecoveryActions;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardest rung of the ladder, for real: the profile's Chromium is frozen with SIGSTOP, so the
 * three page steps time out and reopenProfile's graceful close fails; restartProfile brings back
 * a healthy browser, and nothing of the frozen one is left.
 */
class FrozenBrowserLadderTest {
    /** Steps 1-4 wait this long on the frozen browser; restartProfile must start a fresh one within it. */
    private static final long STEP_TIMEOUT_MS = 8_000;
    @TempDir
    Path dir;

    @Test
    void restartProfileHealsAFrozenBrowserAfterEveryCheaperStepFailed() throws Exception {
        List<EventRecord> events = new CopyOnWriteArrayList<>();
        SessionSettings d = SessionSettings.defaults();
        SessionSettings session = new SessionSettings(List.of("/bin/sh", "-c", "touch session-running; sleep 2; exit 1"), Map.of(), dir,
                60_000, 0, 600_000, 300, d.logMaxBytes(), 2, 4096);
        RecoverySettings recovery = new RecoverySettings(5, 0, 10, 86_400_000, 1.0, 7 * 86_400_000L, STEP_TIMEOUT_MS, 4,
                RecoverySettings.BROWSER_STEPS.stream().map(n -> (StepConfig) new StepConfig.Builtin(n)).toList(),
                new VerifyConfig.Browser());
        BrowserSettings b = BrowserSettings.defaults();
        BrowserSettings browser = new BrowserSettings(BrowserSettings.Provider.CHROMIUM, b.chromium(), b.adspower(),
                true, true, 30_000);
        ProfileConfig p1 = new ProfileConfig("p1", "podA", null, session, null, null);
        RunnerSettings r = RunnerSettings.defaults();
        RunnerConfig config = new RunnerConfig(Path.of("test.json"), new RunnerSettings(4, dir, dir.resolve("events.jsonl"),
                RunnerSettings.FsyncPolicy.NEVER, 1000, 0, r.sqliteSynchronous()), session, recovery, browser,
                io.smartrunner.config.HttpSettings.defaults(), List.of(new PodConfig("podA", 4, List.of(p1))), Set.of());

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
                // the session is spawned only once its browser is open and its first page loaded
                CliProcess.await("the session runs with its browser", 60_000,
                        () -> Files.exists(dir.resolve("session-running")));
                List<Long> frozen = browserProcesses(store.runnerId());
                assertFalse(frozen.isEmpty(), "the profile's Chromium runs");
                for (long pid : frozen) {
                    new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
                }
                CliProcess.await("the episode ended", 90_000, () -> events.stream()
                        .anyMatch(e -> e.event().equals("recover") && !"failed".equals(e.outcome())
                                && !"unhealthy".equals(e.outcome())));

                List<String> ladder = events.stream().filter(e -> e.event().equals("recover"))
                        .map(e -> e.params().get("action") + ":" + e.outcome()).toList();
                assertEquals(List.of("goToHomepage:failed", "browserBack:failed", "refreshPage:failed",
                        "reopenProfile:failed", "restartProfile:ok"), ladder);
                for (long pid : frozen) {
                    assertFalse(alive(pid), "process " + pid + " of the frozen browser is gone");
                }
                assertFalse(browserProcesses(store.runnerId()).isEmpty(), "a fresh browser runs");
            } finally {
                supervisor.requestStop();
                loop.join(60_000);
            }
        }
    }

    private static boolean alive(long pid) {
        try {
            return !Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ");
        } catch (IOException gone) {
            return false;
        }
    }

    /** Live processes of p1's browser: tagged with the runner's id and a browser run id. */
    private static List<Long> browserProcesses(String runnerId) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.ISO_8859_1);
                    if (env.contains("SR_RUNNER_ID=" + runnerId) && env.contains("SR_SESSION_ID=browser-p1-")
                            && alive(Long.parseLong(p.getFileName().toString()))) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException vanished) {
                    // ended while we looked
                }
            }
        }
        return pids;
    }
}
