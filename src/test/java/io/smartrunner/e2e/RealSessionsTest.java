package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.engine.SupervisorDeps;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real fleet, one profile per failure reason: real child processes, the real launcher, a real
 * SQLite file and a real JSONL log. Each profile runs exactly one session (long cooldown).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class RealSessionsTest {
    @TempDir
    static Path dir;
    private final Map<String, EventRecord> terminal = new ConcurrentHashMap<>();
    private CountDownLatch allEnded;
    private Map<String, ProfileState> finalStates;
    private List<EventRecord> logged;
    private Thread loop;
    private Supervisor supervisor;

    private static SessionSettings sh(String script, long timeoutMs, long idleMs) {
        SessionSettings d = SessionSettings.defaults();
        return new SessionSettings(List.of("/bin/sh", "-c", script), Map.of(), null, timeoutMs, idleMs, 600_000,
                300, 10L * 1024 * 1024, 2, 4096);
    }

    private static SessionSettings argv(List<String> argv) {
        SessionSettings d = sh("", 20_000, 0);
        return new SessionSettings(argv, Map.of(), null, d.timeoutMs(), 0, d.cooldownMs(), d.stopGraceMs(),
                d.logMaxBytes(), d.logKeepFiles(), d.stderrTailBytes());
    }

    @BeforeAll
    void runFleet() throws Exception {
        Map<String, SessionSettings> profiles = Map.of(
                "p-ok", sh("echo working; exit 0", 20_000, 0),
                "p-exit", sh("echo 'oops: bad thing' >&2; exit 3", 20_000, 0),
                "p-signal", sh("kill -SEGV $$", 20_000, 0),
                "p-spawn", argv(List.of("/nonexistent/worker", "x")),
                "p-timeout", sh("sleep 30", 700, 0),
                "p-hang", sh("echo started; sleep 30", 60_000, 700),
                // quiet between lines for longer than a poll (every 176 ms): its log is watched, and each line must wake it
                "p-slow-printer", sh("for i in 1 2 3 4 5 6 7; do echo tick; sleep 0.4; done", 60_000, 700),
                "p-tree", sh("(trap '' TERM; sleep 1000) & setsid sleep 1000 & sleep 1000", 700, 0),
                "p-flood", sh("head -c 100000000 /dev/zero; echo done", 60_000, 1_000),
                "p-literal", argv(List.of("/usr/bin/printf", "%s\\n", "$(touch " + "/tmp/sr-e2e-pwned)", "; rm -rf ~",
                        "--flag=x", "{profileId} {pod}")));
        List<ProfileConfig> list = new ArrayList<>();
        profiles.forEach((id, s) -> list.add(new ProfileConfig(id, "podA", "http://127.0.0.1/x", s, null, null)));
        RunnerConfig base = TestConfig.builder().globalLimit(16).podLimit(16).session(sh("true", 1000, 0))
                .maxErrorStreak(100).pauseDurationMs(60_000).dataDir(dir).build();
        RunnerConfig config = new RunnerConfig(base.source(), base.runner(), base.session(), base.recovery(),
                base.browser(), base.http(), List.of(new PodConfig("podA", 16, list)), Set.of());
        allEnded = new CountDownLatch(profiles.size());
        SqliteStateStore store = SqliteStateStore.open(dir.resolve("state.db"), RunnerSettings.SqliteSynchronous.NORMAL);
        JsonlEventSink sink = JsonlEventSink.open(dir.resolve("events.jsonl"), RunnerSettings.FsyncPolicy.ALWAYS, 1000);
        supervisor = new Supervisor(config, new SupervisorDeps(store, sink, PosixSpawnLauncher.best(),
                new ProcFsProcessTable(), TimeSource.system(), new Random(), dir.resolve("logs"), events -> {
                    for (EventRecord e : events) {
                        if ((e.event().equals("finish") || e.event().equals("error"))
                                && terminal.putIfAbsent(e.profileId(), e) == null) {
                            allEnded.countDown();
                        }
                    }
                }, line -> { }, java.util.concurrent.Executors.newFixedThreadPool(2),
                new io.smartrunner.recovery.ProcessRecoveryActions(PosixSpawnLauncher.best(), dir.resolve("logs"),
                        store.runnerId(), 60_000, io.smartrunner.browser.BrowserProvider.none()), null));
        loop = new Thread(supervisor::run, "supervisor");
        loop.start();
        assertTrue(allEnded.await(60, TimeUnit.SECONDS), "every profile ended a session; got " + terminal.keySet());
        supervisor.requestStop();
        loop.join(30_000);
        assertFalse(loop.isAlive());
        sink.close();
        finalStates = store.loadProfiles();
        store.close();
        logged = EventLogReader.readAll(dir.resolve("events.jsonl"));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (loop != null && loop.isAlive()) {
            supervisor.requestStop();
            loop.join(10_000);
        }
    }

    @Test
    void successfulSessionFinishesWithExitZeroAndStreakZero() {
        EventRecord e = terminal.get("p-ok");
        assertEquals("finish", e.event());
        assertEquals("ok", e.outcome());
        assertEquals(0, finalStates.get("p-ok").errorStreak());
    }

    @Test
    void nonZeroExitIsReasonExitWithCodeAndStderrTail() {
        EventRecord e = terminal.get("p-exit");
        assertEquals("exit", e.params().get("reason"));
        assertEquals(3, ((Number) e.params().get("exitCode")).intValue());
        assertTrue(((String) e.params().get("stderrTail")).contains("oops: bad thing"));
        assertEquals(1, finalStates.get("p-exit").errorStreak());
        assertTrue(finalStates.get("p-exit").needsRecovery());
    }

    @Test
    void deathBySignalIsReasonSignalWithItsName() {
        EventRecord e = terminal.get("p-signal");
        assertEquals("signal", e.params().get("reason"));
        assertEquals("SIGSEGV", e.params().get("signal"));
    }

    @Test
    void missingBinaryIsReasonSpawnWithTheOsMessage() {
        EventRecord e = terminal.get("p-spawn");
        assertEquals("spawn", e.params().get("reason"));
        assertTrue(((String) e.params().get("message")).contains("No such file or directory"), e.params().toString());
    }

    @Test
    void sessionPastTimeoutIsReasonTimeout() {
        assertEquals("timeout", terminal.get("p-timeout").params().get("reason"));
    }

    @Test
    void silentSessionIsReasonHang() {
        assertEquals("hang", terminal.get("p-hang").params().get("reason"));
    }

    @Test
    void aSessionThatPrintsNowAndThenIsNotTakenForAHangWhileItsQuietLogIsWatched() {
        EventRecord e = terminal.get("p-slow-printer");
        assertEquals("finish", e.event(), e.params().toString());
    }

    @Test
    void timeoutLeavesNoProcessOfTheSessionGrandchildrenIncluded() throws IOException {
        EventRecord e = terminal.get("p-tree");
        assertEquals("timeout", e.params().get("reason"));
        assertEquals(List.of(), processesTaggedWith(e.sessionId()));
    }

    @Test
    void outputFloodIsNeitherBlockedNorTakenForAHang() throws IOException {
        EventRecord e = terminal.get("p-flood");
        assertEquals("finish", e.event(), e.params().toString());
        // the end's last rotation runs aside, on a rotator's thread
        io.smartrunner.testkit.Await.until("p-flood's last rotation is done", java.time.Duration.ofSeconds(30),
                () -> dir.resolve("logs/p-flood.stdout.log").toFile().length() <= 10L * 1024 * 1024 * 5 / 4);
        long total = 0;
        try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("p-flood.stdout")).toList()) {
                // a rotated file: at most logMaxBytes and a quarter (LogRotation); the live one near it
                assertTrue(Files.size(f) <= 10L * 1024 * 1024 * 5 / 4, f + " is capped near logMaxBytes: " + Files.size(f));
                total += Files.size(f);
            }
        }
        assertTrue(total <= 3 * 10L * 1024 * 1024 * 5 / 4, "live file plus logKeepFiles=2 rotated ones");
    }

    @Test
    void userValuesReachTheChildAsOneLiteralArgumentEach() throws IOException {
        assertEquals("finish", terminal.get("p-literal").event());
        List<String> lines = Files.readAllLines(dir.resolve("logs").resolve("p-literal.stdout.log"), StandardCharsets.UTF_8);
        assertEquals(List.of("$(touch /tmp/sr-e2e-pwned)", "; rm -rf ~", "--flag=x", "p-literal podA"), lines);
        assertFalse(Files.exists(Path.of("/tmp/sr-e2e-pwned")));
    }

    @Test
    void everyStartHasExactlyOneTerminalEventAndNothingStaysRunning() {
        Map<String, Long> starts = new java.util.HashMap<>();
        Map<String, Long> ends = new java.util.HashMap<>();
        for (EventRecord e : logged) {
            if (e.event().equals("start")) {
                starts.merge(e.sessionId(), 1L, Long::sum);
            } else if (e.event().equals("finish") || e.event().equals("error")) {
                ends.merge(e.sessionId(), 1L, Long::sum);
            }
        }
        starts.keySet().forEach(id -> assertEquals(1L, ends.get(id), "terminal events of " + id));
        finalStates.values().forEach(s -> assertFalse(s.running(), s.profileId()));
        assertNull(supervisor.problem());
    }

    /** Live processes whose environment says they belong to the session. */
    public static List<Long> processesTaggedWith(String sessionId) throws IOException {
        byte[] tag = ("SR_SESSION_ID=" + sessionId).getBytes(StandardCharsets.UTF_8);
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    String s = new String(env, StandardCharsets.ISO_8859_1);
                    if (s.contains(new String(tag, StandardCharsets.ISO_8859_1))
                            && !Files.readString(p.resolve("stat")).contains(") Z ")) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException vanished) {
                    // the process ended while we looked
                }
            }
        }
        return pids;
    }
}
