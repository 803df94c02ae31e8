package io.smartrunner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.config.InheritEnv;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.process.ChildEnvironment;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.testkit.Await;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real step kinds against a real HTTP server on 127.0.0.1 and real processes. */
class ProcessRecoveryActionsTest {
    @TempDir
    Path dir;
    private HttpServer server;
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private ProcessRecoveryActions actions;
    private StepContext ctx;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            seen.put(ex.getRequestURI().getPath(), ex.getRequestMethod());
            int code = ex.getRequestURI().getPath().startsWith("/broken") ? 500 : 200;
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        server.start();
        actions = new ProcessRecoveryActions(PosixSpawnLauncher.best(), dir.resolve("logs"), "runner-x", 5_000,
                BrowserProvider.none());
        SessionSettings d = SessionSettings.defaults();
        SessionSettings session = new SessionSettings(List.of("true"), Map.of(), dir, 1000, 0, 0, 200,
                d.logMaxBytes(), 1, 4096);
        ctx = new StepContext(new ProfileConfig("k12", "podA", "http://127.0.0.1/", session, null, null), "s-1", 1,
                "recovery-" + java.util.UUID.randomUUID()); // unique: a stop hunts every process carrying its run id
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void httpStepSucceedsOnTheExpectedStatusWithPlaceholdersExpanded() throws Exception {
        StepResult r = actions.step(new StepConfig.Http("kick", "POST", url("/kick/{profileId}"), 200, 0), ctx)
                .result().get(10, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.detail());
        assertEquals("POST", seen.get("/kick/k12"));
    }

    @Test
    void httpStepFailsOnAnotherStatusOrNoServer() throws Exception {
        StepResult wrong = actions.step(new StepConfig.Http("kick", "GET", url("/broken"), 200, 0), ctx)
                .result().get(10, TimeUnit.SECONDS);
        assertFalse(wrong.ok());
        assertTrue(wrong.detail().contains("answered 500, expected 200"), wrong.detail());
        StepResult refused = actions.step(new StepConfig.Http("kick", "GET", "http://127.0.0.1:9/x", 200, 1000), ctx)
                .result().get(10, TimeUnit.SECONDS);
        assertFalse(refused.ok());
        assertTrue(refused.detail().contains("connection refused"), refused.detail());
    }

    @Test
    void commandStepAndCheckUseExitCodesAndWriteToTheProfileLog() throws Exception {
        StepResult ok = actions.step(new StepConfig.Command("say", List.of("/bin/sh", "-c",
                "echo step $SR_RECOVERY_STEP for {profileId} session {sessionId}")), ctx).result().get(10, TimeUnit.SECONDS);
        assertTrue(ok.ok(), ok.detail());
        assertEquals("step 1 for k12 session s-1\n", Files.readString(dir.resolve("logs/k12.stdout.log")));
        StepResult bad = actions.verify(new VerifyConfig.Command(List.of("/bin/sh", "-c", "exit 3")), ctx)
                .result().get(10, TimeUnit.SECONDS);
        assertFalse(bad.ok());
        assertTrue(bad.detail().contains("exited with code 3"), bad.detail());
        assertTrue(actions.verify(new VerifyConfig.None(), ctx).result().get().ok());
    }

    @Test
    void cancelledCommandStepLeavesNoProcessBehind() throws Exception {
        RunningStep step = actions.step(new StepConfig.Command("slow", List.of("/bin/sh", "-c",
                "trap '' TERM; sleep 1000 & sleep 1000")), ctx);
        step.cancel();
        StepResult r = step.result().get(20, TimeUnit.SECONDS);
        assertFalse(r.ok());
        assertEquals(List.of(), io.smartrunner.e2e.RealSessionsTest.processesTaggedWith(ctx.runId()));
    }

    /** The leader quits on SIGTERM at once; its child ignores SIGTERM and lives until the SIGKILL. */
    @Test
    void cancelledStepCompletesOnlyWhenItsWholeTreeIsGone() throws Exception {
        Path ready = dir.resolve("ready");
        RunningStep step = actions.step(new StepConfig.Command("slow", List.of("/bin/sh", "-c",
                "trap 'exit 0' TERM; (trap '' TERM; exec sleep 1000) & touch " + ready + "; wait")), ctx);
        awaitFile(ready);
        step.cancel();
        step.result().get(20, TimeUnit.SECONDS);
        assertEquals(List.of(), io.smartrunner.e2e.RealSessionsTest.processesTaggedWith(ctx.runId()));
    }

    /** A command step is a child like a session: none of the runner's files or sockets reach it. */
    @Test
    void commandStepStartsWithExactlyDescriptors012() throws Exception {
        try (var log = java.nio.channels.FileChannel.open(dir.resolve("events.jsonl"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
             var listening = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Path ready = dir.resolve("step-ready");
            RunningStep step = actions.step(new StepConfig.Command("fds", List.of("/bin/sh", "-c",
                    "touch " + ready + "; exec sleep 1000")), ctx);
            awaitFile(ready);
            List<Long> pids = io.smartrunner.e2e.RealSessionsTest.processesTaggedWith(ctx.runId());
            assertEquals(1, pids.size(), pids.toString());
            // the ready file is touched before the exec of sleep, whose dynamic loader holds fd 3 a
            // moment (ld.so.cache, libc): a listing then saw 0 1 2 3 (a full run, session 29). A
            // descriptor the step inherited stays: wait for a listing of 0 1 2 (the last one is reported)
            Path fdDir = Path.of("/proc", pids.get(0).toString(), "fd");
            List<String> fds = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try (var entries = Files.list(fdDir)) {
                    fds = entries.map(f -> f.getFileName().toString()).sorted().toList();
                }
                if (fds.equals(List.of("0", "1", "2"))) {
                    break;
                }
                Thread.onSpinWait();
            }
            assertEquals(List.of("0", "1", "2"), fds);
            step.cancel();
            step.result().get(20, TimeUnit.SECONDS);
        }
    }

    /** A step inherits the safe base, and a config secret from the runner's environment only when named. */
    @ParameterizedTest
    @CsvSource({"false, ''", "true, s3cret-value"})
    void commandStepSeesASecretOnlyWhenItsProfileNamesIt(boolean named, String expected) throws Exception {
        Map<String, String> runnerEnv = Map.of("PATH", System.getenv("PATH"), "SR_TEST_SECRET", "s3cret-value");
        ProcessRecoveryActions withSecret = new ProcessRecoveryActions(PosixSpawnLauncher.best(
                ChildEnvironment.of(runnerEnv, Set.of("s3cret-value"))), dir.resolve("logs"), "runner-x", 5_000, BrowserProvider.none());
        SessionSettings s = ctx.profile().session();
        SessionSettings session = new SessionSettings(s.command(), s.env(), s.workingDir(), s.timeoutMs(),
                s.idleTimeoutMs(), s.cooldownMs(), s.stopGraceMs(), s.logMaxBytes(), s.logKeepFiles(),
                s.stderrTailBytes(), named ? new InheritEnv(false, List.of("SR_TEST_SECRET")) : InheritEnv.NONE);
        StepContext c = new StepContext(new ProfileConfig("envp", "podA", null, session, null, null), "s-1", 1,
                ctx.runId());

        StepResult r = withSecret.step(new StepConfig.Command("env", List.of("/bin/sh", "-c",
                "printf '%s' \"$SR_TEST_SECRET\"")), c).result().get(10, TimeUnit.SECONDS);

        assertTrue(r.ok(), r.detail());
        assertEquals(expected, Files.readString(dir.resolve("logs/envp.stdout.log")));
    }

    private static void awaitFile(Path file) {
        Await.until(file.toString(), Duration.ofSeconds(10), () -> Files.exists(file));
    }
}
