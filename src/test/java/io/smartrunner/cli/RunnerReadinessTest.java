package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.health.RunnerHealth;
import io.smartrunner.testkit.SettableLoop;
import io.smartrunner.http.RunnerHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}'s runner line: the running runner's own /readyz, with its reasons. */
class RunnerReadinessTest {
    @TempDir
    Path dir;

    private static final List<String> BLOCKED_IN_THE_JVM = List.of("jdk.internal.misc.Unsafe.park",
            "java.lang.Object.wait", "java.lang.Thread.sleep");

    private final SettableLoop loop = new SettableLoop();

    @Test
    void readyOrNotReadyWithTheReasons() throws Exception {
        Path cfgFile = dir.resolve("c.json");
        Files.writeString(cfgFile, "{\"runner\": {\"dataDir\": \"" + dir.resolve("data") + "\"}, \"http\": {\"port\": 0}}");
        RunnerConfig cfg = ConfigLoader.load(cfgFile, Map.of());
        Files.createDirectories(cfg.runner().dataDir());
        RunnerHealth health = new RunnerHealth(loop, () -> 0, 30_000);
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), null, null, health)) {
            Files.writeString(cfg.runner().dataDir().resolve(RunnerApiClient.PORT_FILE), server.port() + "\n");
            assertEquals("ready", new RunnerApiClient(cfg).readiness());
            loop.problem("events.jsonl: No space left on device");
            health.stopping();
            assertEquals("not ready: decisions cannot be made durable: events.jsonl: No space left on device; stopping",
                    new RunnerApiClient(cfg).readiness());
        }
        String gone = new RunnerApiClient(cfg).readiness();
        assertTrue(gone.startsWith("not answering at http://127.0.0.1:"), gone);
    }

    /**
     * HotSpot's exit waits up to 300 ms for any thread in a native call: a control command whose
     * client left one behind (the JDK HttpClient's selector, in epoll_wait for good) took 0.3 s
     * longer to exit.
     */
    @Test
    void theClientLeavesNoThreadInANativeCall() throws Exception {
        Path cfgFile = dir.resolve("c.json");
        Files.writeString(cfgFile, "{\"runner\": {\"dataDir\": \"" + dir.resolve("data") + "\"},"
                + " \"http\": {\"port\": 0, \"token\": \"t0ken-for-the-test\"}}");
        RunnerConfig cfg = ConfigLoader.load(cfgFile, Map.of());
        Files.createDirectories(cfg.runner().dataDir());
        RunnerHealth health = new RunnerHealth(loop, () -> 0, 30_000);
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), null, null, health)) {
            Files.writeString(cfg.runner().dataDir().resolve(RunnerApiClient.PORT_FILE), server.port() + "\n");
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            RunnerApiClient client = new RunnerApiClient(cfg);
            assertEquals("ready", client.readiness());
            SmartRunnerException refused = assertThrows(SmartRunnerException.class,
                    () -> client.post("/api/profiles/nobody/pause", Map.of()));
            assertTrue(refused.getMessage().length() > 0);
            // new threads, but not the server's own pool (it grows with the requests); park, wait
            // and sleep are native methods the JVM counts as blocked, not as in native code
            List<String> leftInNative = Thread.getAllStackTraces().entrySet().stream()
                    .filter(e -> !before.contains(e.getKey()) && !e.getKey().getName().startsWith("sr-http")
                            && !e.getKey().getName().startsWith("Scheduler-"))
                    .filter(e -> e.getValue().length > 0 && e.getValue()[0].isNativeMethod()
                            && !BLOCKED_IN_THE_JVM.contains(e.getValue()[0].getClassName() + "." + e.getValue()[0].getMethodName()))
                    .map(e -> e.getKey().getName() + " at " + e.getValue()[0]).toList();
            assertEquals(List.of(), leftInNative);
        }
    }
}
