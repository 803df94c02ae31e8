package io.smartrunner.e2e;

import io.smartrunner.browser.ChromiumProvider;
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
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.recovery.ProcessRecoveryActions;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.time.TimeSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * One profile {@code p1} with a real Chromium, the spec's five-step ladder and the browser check,
 * run by a real supervisor in this JVM (real launcher, SQLite, JSONL). Starts on construction.
 */
final class BrowserFleet implements AutoCloseable {
    final List<EventRecord> events = new CopyOnWriteArrayList<>();
    final ChromiumProvider browsers;
    final SqliteStateStore store;
    private final JsonlEventSink sink;
    private final Supervisor supervisor;
    private final Thread loop;

    BrowserFleet(Path dir, List<String> sessionArgv, String homepage, String verifyExpression, long stepTimeoutMs) {
        SessionSettings d = SessionSettings.defaults();
        SessionSettings session = new SessionSettings(sessionArgv, Map.of(), dir, 60_000, 0, 600_000, 300,
                d.logMaxBytes(), 2, 4096);
        RecoverySettings recovery = new RecoverySettings(5, 0, 10, 86_400_000, 1.0, 7 * 86_400_000L, stepTimeoutMs, 4,
                RecoverySettings.BROWSER_STEPS.stream().map(n -> (StepConfig) new StepConfig.Builtin(n)).toList(),
                new VerifyConfig.Browser());
        BrowserSettings b = BrowserSettings.defaults();
        BrowserSettings browser = new BrowserSettings(BrowserSettings.Provider.CHROMIUM, b.chromium(), b.adspower(),
                true, true, 30_000);
        ProfileConfig p1 = new ProfileConfig("p1", "podA", homepage, session, verifyExpression, null);
        RunnerSettings r = RunnerSettings.defaults();
        RunnerConfig config = new RunnerConfig(Path.of("test.json"), new RunnerSettings(4, dir, dir.resolve("events.jsonl"),
                RunnerSettings.FsyncPolicy.NEVER, 1000, 0, r.sqliteSynchronous()), session, recovery, browser,
                HttpSettings.defaults(), List.of(new PodConfig("podA", 4, List.of(p1))), Set.of());
        ProcessLauncher launcher = PosixSpawnLauncher.best();
        store = SqliteStateStore.open(dir.resolve("state.db"), r.sqliteSynchronous());
        sink = JsonlEventSink.open(dir.resolve("events.jsonl"), RunnerSettings.FsyncPolicy.NEVER, 1000);
        browsers = new ChromiumProvider(browser, dir.resolve("browsers"), dir.resolve("logs"), launcher,
                new ProcFsProcessTable(), store.runnerId());
        supervisor = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new ProcFsProcessTable(),
                TimeSource.system(), new Random(), dir.resolve("logs"), events::addAll, line -> { },
                Executors.newFixedThreadPool(2), new ProcessRecoveryActions(launcher, dir.resolve("logs"),
                        store.runnerId(), stepTimeoutMs, browsers),
                browsers));
        loop = new Thread(supervisor::run, "supervisor");
        loop.start();
    }

    /** The ladder so far, as action:outcome. */
    List<String> ladder() {
        return events.stream().filter(e -> e.event().equals("recover"))
                .map(e -> e.params().get("action") + ":" + e.outcome()).toList();
    }

    /** Each {@code recover} event's message, in order. */
    List<String> recoverMessages() {
        return events.stream().filter(e -> e.event().equals("recover"))
                .map(e -> String.valueOf(e.params().get("message"))).toList();
    }

    boolean episodeEnded() {
        return events.stream().anyMatch(e -> e.event().equals("recover")
                && ("ok".equals(e.outcome()) || "exhausted".equals(e.outcome())));
    }

    @Override
    public void close() throws InterruptedException {
        supervisor.requestStop();
        loop.join(60_000);
        browsers.close();
        sink.close();
        store.close();
    }
}
