package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.readsNeedToken} (reviewer R6): on a machine with other local users, a loopback
 * runner's reads (the sessions' logs and stderr tails among them) need the token too.
 */
@Tag("e2e")
class ReadsNeedTokenTest {
    @TempDir
    Path dir;

    private static int status(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void everyReadButHealthNeedsTheTokenWhenAsked() throws Exception {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0, "readsNeedToken": true},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "echo private output; sleep 30"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            String base = "http://127.0.0.1:" + runner.httpPort();
            String token = Files.readString(dir.resolve("data/http.token")).strip();
            for (String path : new String[] {"/api/profiles", "/api/profiles/p1/log?stream=stdout", "/api/events",
                    "/api/summary", "/metrics"}) {
                assertEquals(401, status(base + path, null), path + " without the token");
                assertEquals(200, status(base + path, token), path + " with it");
            }
            assertEquals(200, status(base + "/healthz", null), "health stays open");
            assertEquals(200, status(base + "/", null), "the dashboard page loads, then asks for the token");
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
    }
}
