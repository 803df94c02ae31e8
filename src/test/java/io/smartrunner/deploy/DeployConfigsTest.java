package io.smartrunner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configs shipped in deploy/ load as they are (cluster mode, secrets from the environment). */
class DeployConfigsTest {
    private static final Map<String, String> ENV = Map.of("SR_PG_PASSWORD", "pw", "SR_TOKEN", "token-for-deploy-configs",
            "SR_RUNNER_NAME", "runner-1", "PATH", System.getenv("PATH"));

    @TempDir
    Path dir;

    private static void assertCluster(RunnerConfig cfg) {
        assertEquals(StoreSettings.Kind.POSTGRES, cfg.store().kind());
        assertEquals("pw", cfg.store().password());
        assertEquals("token-for-deploy-configs", cfg.http().token());
        assertEquals(6_000, cfg.cluster().watchdogMs());
        assertEquals(6, cfg.profiles().size());
    }

    @Test
    void theComposeConfigLoads() {
        RunnerConfig cfg = ConfigLoader.loadToInspect(Path.of("deploy/compose/smart-runner.json"), ENV);
        assertCluster(cfg);
        assertEquals("runner-1", cfg.runner().name());
    }

    @Test
    void theKubernetesConfigMapsConfigLoads() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("deploy/k8s/configmap.yaml"));
        int start = lines.indexOf("  smart-runner.json: |") + 1;
        assertTrue(start > 0, "the config map holds smart-runner.json");
        String json = lines.subList(start, lines.size()).stream().map(l -> l.length() >= 4 ? l.substring(4) : l)
                .collect(Collectors.joining("\n"));
        Path file = Files.writeString(dir.resolve("smart-runner.json"), json);
        assertCluster(ConfigLoader.loadToInspect(file, ENV));
    }
}
