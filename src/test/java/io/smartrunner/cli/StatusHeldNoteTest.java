package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}'s runner line shows starts held by admission control (the runner stays ready). */
class StatusHeldNoteTest {
    @TempDir
    Path dir;

    private final SettableLoop loop = new SettableLoop();

    @Test
    void readyWithTheHoldAsANote() throws Exception {
        Path cfgFile = dir.resolve("c.json");
        Files.writeString(cfgFile, "{\"runner\": {\"dataDir\": \"" + dir.resolve("data") + "\"}, \"http\": {\"port\": 0}}");
        RunnerConfig cfg = ConfigLoader.load(cfgFile, Map.of());
        Files.createDirectories(cfg.runner().dataDir());
        RunnerHealth health = new RunnerHealth(loop, () -> 0, 30_000);
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), null, null, health)) {
            Files.writeString(cfg.runner().dataDir().resolve(RunnerApiClient.PORT_FILE), server.port() + "\n");
            assertEquals("ready", new RunnerApiClient(cfg).readiness());
            loop.notes(List.of("new sessions held since 2025-01-08T10:30:00Z: MemAvailable 100 MiB is under"
                    + " runner.minFreeMemoryMb 256"));
            assertEquals("ready; note: new sessions held since 2025-01-08T10:30:00Z: MemAvailable 100 MiB is under"
                    + " runner.minFreeMemoryMb 256", new RunnerApiClient(cfg).readiness());
        }
    }
}
