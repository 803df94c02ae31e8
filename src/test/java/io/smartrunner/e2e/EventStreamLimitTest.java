package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event streams are bounded (16); one more is refused with 503, and the rest of the API keeps answering. */
@Tag("e2e")
class EventStreamLimitTest {
    @TempDir
    Path dir;

    @Test
    void theSeventeenthStreamIsRefusedAndReadsStillAnswer() throws Exception {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        List<InputStream> open = new ArrayList<>();
        try {
            String base = "http://127.0.0.1:" + runner.httpPort();
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 16; i++) {
                HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create(base + "/api/events/stream"))
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, stream.statusCode(), "stream " + (i + 1));
                open.add(stream.body());
            }
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(base + "/api/events/stream"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().contains("too many event streams open (16)"), refused.body());
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> read = client.send(HttpRequest.newBuilder(URI.create(base + "/api/profiles/p1")).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                assertEquals(200, read.statusCode(), "reads are served while every stream slot is taken");
            }
        } finally {
            for (InputStream s : open) {
                s.close();
            }
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
    }
}
