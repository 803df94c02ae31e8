package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class RunnerHttpServerTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthAndTheDemoSiteOnLoopback() throws Exception {
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            assertEquals("{\"status\":\"ok\"}", get(server.port(), "/healthz").body());
            HttpResponse<String> home = get(server.port(), "/demo/");
            assertEquals(200, home.statusCode());
            assertTrue(home.body().contains("<title>Demo home</title>"));
            assertEquals(404, get(server.port(), "/demo/../../etc/passwd").statusCode());
            assertEquals(404, get(server.port(), "/demo/nope.html").statusCode());
        }
    }

    @Test
    void refusesANonLoopbackBindWithoutAToken() {
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> RunnerHttpServer.start(new HttpSettings("0.0.0.0", 0, null)));
        assertTrue(e.getMessage().contains("http.token"), e.getMessage());
    }

    @Test
    void aTakenPortIsAOneLineError() {
        try (RunnerHttpServer first = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            SmartRunnerException e = assertThrows(SmartRunnerException.class,
                    () -> RunnerHttpServer.start(new HttpSettings("127.0.0.1", first.port(), null)));
            assertTrue(e.getMessage().contains(":" + first.port()) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
