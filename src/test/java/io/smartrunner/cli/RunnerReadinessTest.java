package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.health.RunnerHealth;
import io.smartrunner.testkit.SettableLoop;
import io.smartrunner.http.RunnerHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}'s runner line: the running runner's own /readyz, with its reasons. */
class RunnerReadinessTest {
    @TempDir
    Path dir;

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
}
