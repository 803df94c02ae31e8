package io.smartrunner.cli;

import static io.smartrunner.cli.CliUsageTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.health.RunnerHealth;
import io.smartrunner.http.RunnerHttpServer;
import io.smartrunner.testkit.SettableLoop;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the CLI built the runner's URL from {@code http.bind} with {@code URI.create}, so a
 * bad bind crashed every control command with a trace, and {@code [::1]} became {@code [[::1]]}.
 */
class RunnerApiAddressTest {
    @TempDir
    Path dir;

    private Path config(String http) throws Exception {
        return Files.writeString(dir.resolve("live.json"), "{\"runner\": {\"dataDir\": \"" + dir.resolve("data")
                + "\", \"eventLog\": \"" + dir.resolve("events.jsonl") + "\"}, \"browser\": {\"provider\": \"none\"},"
                + " \"session\": {\"command\": [\"/bin/true\"]}, \"http\": " + http + ","
                + " \"pods\": [{\"name\": \"podA\", \"profiles\": [{\"id\": \"p1\"}]}]}");
    }

    @Test
    void aControlCommandReachesARunnerBoundToAnIpv6LiteralInBrackets() throws Exception {
        RunnerConfig cfg = ConfigLoader.load(config("{\"bind\": \"[::1]\", \"port\": 0}"), Map.of());
        Files.createDirectories(cfg.runner().dataDir());
        RunnerHealth health = new RunnerHealth(new SettableLoop(), () -> 0, 30_000);
        try (RunnerHttpServer server = RunnerHttpServer.start(cfg.http(), null, null, health)) {
            Files.writeString(cfg.runner().dataDir().resolve(RunnerApiClient.PORT_FILE), server.port() + "\n");
            assertEquals("ready", new RunnerApiClient(cfg).readiness());
        }
    }

    @Test
    void aWildcardBindIsReachedThroughLoopback() {
        assertEquals(URI.create("http://127.0.0.1:7351"),
                RunnerApiClient.baseUri(new HttpSettings("0.0.0.0", 7070, "t"), 7351));
        assertEquals(URI.create("http://127.0.0.1:7351"), RunnerApiClient.baseUri(new HttpSettings("::", 7070, "t"), 7351));
        assertEquals(URI.create("http://[::1]:7351"), RunnerApiClient.baseUri(new HttpSettings("::1", 7070, null), 7351));
    }

    @Test
    void anAddressThatMakesNoUrlIsOneLineNotATrace() {
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> RunnerApiClient.baseUri(new HttpSettings("not an address", 7070, null), 7351));
        assertEquals(2, e.exitCode());
        assertEquals(-1, e.getMessage().indexOf('\n'));
    }

    @Test
    void controlCommandsRefuseABadBindAtLoadInOneLine() throws Exception {
        Path cfg = config("{\"bind\": \"not an address\"}");
        for (String[] args : new String[][] {{"status"}, {"reload"}, {"pause", "--", "p1"}}) {
            String[] line = new String[args.length + 2];
            line[0] = args[0];
            line[1] = "-c";
            line[2] = cfg.toString();
            System.arraycopy(args, 1, line, 3, args.length - 1);

            CliUsageTest.Run r = cli(line);

            assertEquals(2, r.code(), args[0] + ": " + r.err());
            String refusal = args[0].equals("reload") ? "reload refused, nothing was sent to a runner: " : "";
            assertEquals("smart-runner: " + refusal + cfg + ": $.http.bind: \"not an address\" is not an IP address, expected an"
                    + " IP address to listen on, such as \"127.0.0.1\", \"0.0.0.0\", \"::1\" or \"localhost\" (host"
                    + " names are not resolved at load; use the address)\n", r.err(), args[0]);
        }
    }
}
