package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.health.RunnerHealth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /healthz} and {@code /readyz} over real HTTP tell the truth, with reasons, as a 503 when not ok. */
class HealthEndpointTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private volatile boolean started;
    private volatile long lastTurn;
    private volatile String problem;
    private volatile long now;
    private RunnerHttpServer server;

    @BeforeEach
    void start() {
        RunnerHealth health = new RunnerHealth(new RunnerHealth.Loop() {
            @Override
            public boolean started() {
                return started;
            }

            @Override
            public long lastTurnNanos() {
                return lastTurn;
            }

            @Override
            public String problem() {
                return problem;
            }
        }, () -> now, 30_000);
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
    void startingIsLiveButNotReady() throws Exception {
        assertEquals(200, get("/healthz").statusCode());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().startsWith("{\"status\":\"failing\",\"reasons\":[\"starting"), ready.body());
    }

    @Test
    void aFrozenLoopFailsBoth() throws Exception {
        started = true;
        lastTurn = now;
        assertEquals("{\"status\":\"ok\"}", get("/healthz").body());
        assertEquals("{\"status\":\"ok\"}", get("/readyz").body());
        now += TimeUnit.SECONDS.toNanos(45);
        HttpResponse<String> live = get("/healthz");
        assertEquals(503, live.statusCode());
        assertEquals("{\"status\":\"failing\",\"reasons\":[\"the engine loop has not turned for 45 s (limit 30 s)\"]}",
                live.body());
        assertEquals(503, get("/readyz").statusCode());
    }

    @Test
    void anUnwritableEventLogFailsReadinessOnly() throws Exception {
        started = true;
        lastTurn = now;
        problem = "events.jsonl: No space left on device";
        assertEquals(200, get("/healthz").statusCode());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("decisions cannot be made durable: events.jsonl: No space left on device"),
                ready.body());
    }
}
