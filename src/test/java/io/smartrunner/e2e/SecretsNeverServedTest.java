package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that prints its secrets (an {@code ${env:}} value and a DevTools URL) and fails: no API
 * response, metric or runner output carries them, only the mask.
 */
@Tag("e2e")
class SecretsNeverServedTest {
    private static final String SECRET = "s3cr3t-4f9a-VALUE";
    private static final String TOKEN = "tok-9c1d-never-shown";
    private static final String WS = "ws://127.0.0.1:9222/devtools/browser/0b6e3c8a-1111-2222-3333-444455556666";

    @TempDir
    Path dir;

    @Test
    void noResponseMetricOrRunnerOutputCarriesASecret() throws Exception {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0, "token": "${env:SR_TEST_TOKEN}"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "echo \\"key=$API_KEY at %s\\"; echo \\"key=$API_KEY at %s\\" >&2; exit 3"],
                             "env": {"API_KEY": "${env:SR_TEST_SECRET}"}, "cooldownMs": 200},
                 "recovery": {"maxErrorStreak": 1},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""".formatted(WS, WS));
        CliProcess runner = CliProcess.start(dir, Map.of("SR_TEST_SECRET", SECRET, "SR_TEST_TOKEN", TOKEN),
                "run", "-c", cfg.toString());
        try {
            String base = "http://127.0.0.1:" + runner.httpPort();
            CliProcess.await("p1 paused", 20_000, () -> get(base + "/api/profiles/p1").contains("\"paused\":true"));
            String rawLog = Files.readString(dir.resolve("data/logs/p1.stdout.log"));
            assertTrue(rawLog.contains(SECRET), "the child really printed the secret: " + rawLog);

            for (String path : List.of("/api/profiles", "/api/profiles/p1", "/api/profiles/p1/log?stream=stdout",
                    "/api/profiles/p1/log?stream=stderr", "/api/events?limit=1000", "/api/report", "/metrics")) {
                String body = get(base + path);
                assertFalse(body.contains(SECRET), path + " shows the secret: " + body);
                assertFalse(body.contains(TOKEN), path + " shows the token");
                assertFalse(body.contains("0b6e3c8a-1111"), path + " shows the DevTools URL: " + body);
            }
            assertTrue(get(base + "/api/profiles/p1/log?stream=stderr").contains("key=***"), "masked, not dropped");
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        }
        String output = runner.err() + runner.out() + Files.readString(dir.resolve("logs/events.jsonl"));
        assertFalse(output.contains(SECRET) || output.contains(TOKEN) || output.contains("0b6e3c8a-1111"), output);
    }

    private static String get(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
