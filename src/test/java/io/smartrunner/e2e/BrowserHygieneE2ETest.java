package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.browser.ChromiumProvider;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.engine.SupervisorDeps;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.recovery.ProcessRecoveryActions;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.testkit.Await;
import io.smartrunner.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12.5 with a real Chromium, real sessions and the real event log: a recycled browser is
 * replaced by a new process and nothing of the old one is left in /proc; a browser killed with
 * SIGKILL between sessions is reported as a crash and replaced, with an event, for the next one.
 * The profile waits 10 minutes after each session, so the test says when the next one runs
 * ("run now"): between sessions is then a fact, not a race.
 */
@Tag("browser")
class BrowserHygieneE2ETest {
    private static final Duration WITHIN = Duration.ofSeconds(90);
    @TempDir
    Path dir;
    private Supervisor supervisor;
    private Thread loop;
    private ChromiumProvider browsers;
    private JsonlEventSink sink;
    private SqliteStateStore store;

    private void start(BrowserSettings.Recycle recycle) {
        SessionSettings d = SessionSettings.defaults();
        SessionSettings session = new SessionSettings(List.of("/bin/sh", "-c", "exit 0"), Map.of(), dir, 60_000, 0,
                600_000, 300, d.logMaxBytes(), 2, 4096);
        RecoverySettings recovery = new RecoverySettings(5, 0, 10, 86_400_000, 1.0, 7 * 86_400_000L, 30_000, 4,
                List.of(), new VerifyConfig.None());
        BrowserSettings b = BrowserSettings.defaults();
        BrowserSettings browser = new BrowserSettings(BrowserSettings.Provider.CHROMIUM, b.chromium(), b.adspower(),
                true, true, 30_000, recycle);
        ProfileConfig p1 = new ProfileConfig("p1", "podA", null, session, null, null);
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
                TimeSource.system(), new Random(), dir.resolve("logs"), events -> { }, line -> { },
                Executors.newFixedThreadPool(2), new ProcessRecoveryActions(launcher, dir.resolve("logs"),
                        store.runnerId(), 30_000, browsers), browsers));
        loop = new Thread(supervisor::run, "supervisor");
        loop.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (supervisor != null) {
            supervisor.requestStop();
            loop.join(60_000);
            browsers.close();
            sink.close();
            store.close();
        }
    }

    /** The event log as written (JSONL on disk), not what the test was told. */
    private List<EventRecord> log() {
        return EventLogReader.readAll(dir.resolve("events.jsonl"));
    }

    private List<EventRecord> named(String event) {
        return log().stream().filter(e -> e.event().equals(event)).toList();
    }

    private void awaitFinished(int sessions) {
        Await.until(sessions + " session(s) finished", WITHIN, () -> named("finish").size() >= sessions);
    }

    private void runNow() {
        supervisor.request(new ManualRequest.RunNow("p1", "test")).join();
    }

    private String sessionId(int n) {
        return named("start").get(n - 1).sessionId();
    }

    @Test
    void afterTwoSessionsTheBrowserIsRecycledIntoANewProcessAndNothingOfTheOldOneIsLeft() throws Exception {
        start(new BrowserSettings.Recycle(2, 0, 0));
        awaitFinished(1);
        runNow();
        awaitFinished(2);
        runNow();
        awaitFinished(3);

        List<EventRecord> browserEvents = log().stream().filter(e -> "browser".equals(e.type())).toList();
        assertEquals(List.of("browser-start", "browser-recycle"), browserEvents.stream().map(EventRecord::event).toList(),
                browserEvents.toString());
        EventRecord started = browserEvents.get(0);
        EventRecord recycled = browserEvents.get(1);
        assertEquals(List.of(sessionId(1), "session needs it"), List.of(started.sessionId(), started.params().get("reason")));
        long oldPid = ((Number) started.params().get("pid")).longValue();
        long newPid = ((Number) recycled.params().get("pid")).longValue();
        assertNotEquals(oldPid, newPid, "a new browser process");
        assertEquals(oldPid, ((Number) recycled.params().get("oldPid")).longValue());
        assertEquals(sessionId(3), recycled.sessionId(), "caused by the third session, before it started");
        assertEquals("recycle after 2 sessions", recycled.params().get("reason"));
        assertEquals(2, ((Number) recycled.params().get("sessions")).intValue());
        assertTrue(recycled.params().get("swept") instanceof Number, recycled.toString());
        assertTrue(named("start").get(2).ts().compareTo(recycled.ts()) <= 0
                && recycled.ts().compareTo(named("finish").get(2).ts()) <= 0, "between sessions 2 and 3");

        assertOnlyTheCurrentBrowserIsLeft(newPid);
    }

    @Test
    void aBrowserKilledBetweenSessionsIsACrashAndTheNextSessionGetsANewOneNotSilently() throws Exception {
        start(BrowserSettings.Recycle.OFF);
        awaitFinished(1);
        long oldPid = ((Number) named("browser-start").get(0).params().get("pid")).longValue();
        assertTrue(ProcessHandle.of(oldPid).orElseThrow().destroyForcibly(), "SIGKILL to the browser");

        Await.until("browser-crash in the log", WITHIN, () -> !named("browser-crash").isEmpty());
        EventRecord crash = named("browser-crash").get(0);
        assertEquals("exited with signal SIGKILL", crash.params().get("reason"));
        assertEquals(List.of(oldPid, 1L), List.of(((Number) crash.params().get("pid")).longValue(),
                ((Number) crash.params().get("sessions")).longValue()));
        assertNull(crash.sessionId(), "no session caused it");
        assertEquals("error", crash.outcome());

        runNow();
        awaitFinished(2);
        EventRecord replaced = named("browser-replace").get(0);
        assertEquals(sessionId(2), replaced.sessionId());
        assertEquals("exited with signal SIGKILL", replaced.params().get("reason"));
        assertEquals(oldPid, ((Number) replaced.params().get("oldPid")).longValue());
        long newPid = ((Number) replaced.params().get("pid")).longValue();
        assertNotEquals(oldPid, newPid);
        assertEquals(List.of("browser-start", "browser-crash", "browser-replace"), log().stream()
                .filter(e -> "browser".equals(e.type())).map(EventRecord::event).toList());
        assertOnlyTheCurrentBrowserIsLeft(newPid);
    }

    @Test
    void aStoppingRunnerClosesTheOpenBrowserWithAnEventAndLeavesNothingOfIt() throws Exception {
        start(BrowserSettings.Recycle.OFF);
        awaitFinished(1);
        long pid = ((Number) named("browser-start").get(0).params().get("pid")).longValue();
        assertTrue(ProcessHandle.of(pid).isPresent(), "the browser stays open between sessions");

        supervisor.requestStop();
        loop.join(60_000);

        assertTrue(!loop.isAlive(), "the loop has ended");
        List<EventRecord> closes = named("browser-close");
        assertEquals(1, closes.size(), log().toString());
        EventRecord close = closes.get(0);
        assertEquals("the runner is stopping", close.params().get("reason"));
        assertEquals(pid, ((Number) close.params().get("pid")).longValue());
        assertEquals("p1", close.profileId());
        assertTrue(ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true), "closed before the loop ended");
        assertNoBrowserOfP1Left();
    }

    private static void assertNoBrowserOfP1Left() throws IOException {
        Map<Long, String> left = new TreeMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long other = Long.parseLong(p.getFileName().toString());
                String run = environ(other).get("SR_SESSION_ID");
                if (run != null && run.startsWith("browser-p1-")) { // a zombie's environment reads empty
                    left.put(other, comm(other) + " of " + run);
                }
            }
        }
        assertEquals(Map.of(), left, "processes of the closed browser still alive");
    }

    /**
     * Every live process tagged as p1's browser (crash handlers, which leave the process group,
     * included: they keep the tag) belongs to the browser whose main process is {@code pid}.
     */
    private static void assertOnlyTheCurrentBrowserIsLeft(long pid) throws IOException {
        String current = environ(pid).get("SR_SESSION_ID");
        assertTrue(current != null && current.startsWith("browser-p1-"), "pid " + pid + " is p1's browser");
        Map<Long, String> left = new TreeMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long other = Long.parseLong(p.getFileName().toString());
                String run = environ(other).get("SR_SESSION_ID");
                if (run != null && run.startsWith("browser-p1-") && !run.equals(current)) {
                    left.put(other, comm(other) + " of " + run);
                }
            }
        }
        assertEquals(Map.of(), left, "processes of an earlier browser still alive");
    }

    private static Map<String, String> environ(long pid) {
        Map<String, String> env = new TreeMap<>();
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                    StandardCharsets.ISO_8859_1);
            for (String entry : raw.split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException gone) {
            // ended meanwhile, or a zombie
        }
        return env;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException gone) {
            return "?";
        }
    }
}
