package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.health.RunnerHealth;
import io.smartrunner.testkit.SettableLoop;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starts held by admission control: {@code /readyz} stays 200 (the runner can work) and lists the hold as a note. */
class ReadinessNotesTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private final SettableLoop loop = new SettableLoop();
    private RunnerHttpServer server;

    @BeforeEach
    void start() {
        RunnerHealth health = new RunnerHealth(loop, () -> 0, 30_000);
        server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), null, null, health);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void heldStartsAreANoteNotAReasonToBeUnready() throws Exception {
        assertEquals("{\"status\":\"ok\"}", get("/readyz").body());
        loop.notes(List.of("new sessions held since 2025-01-08T10:30:00Z: MemAvailable 100 MiB is under"
                + " runner.minFreeMemoryMb 256"));
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().startsWith("{\"status\":\"ok\",\"notes\":[\"new sessions held since"), ready.body());
        assertTrue(ready.body().contains("MemAvailable 100 MiB"), ready.body());
        assertFalse(get("/healthz").body().contains("notes"), "liveness says nothing about it");
    }
}
