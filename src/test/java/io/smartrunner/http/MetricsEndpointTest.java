package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} on the runner's server: the text format for an allowed Host and GET only. */
class MetricsEndpointTest {
    private static final String TEXT = "# TYPE smartrunner_sessions_started_total counter\n"
            + "smartrunner_sessions_started_total{pod=\"podA\"} 3.0\n";
    private final AtomicInteger scrapes = new AtomicInteger();
    private RunnerHttpServer server;

    @BeforeEach
    void start() {
        // only /metrics is exercised here: the API's parts are never reached
        ApiParts api = new ApiParts(null, null, null, null, null, new NewEvents(), null, null, null);
        server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), api, () -> {
            scrapes.incrementAndGet();
            return TEXT;
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A raw request, so the test sets the Host header itself. */
    private String request(String method, String path, String host) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void servesThePrometheusTextFormatToAnAllowedHost() throws Exception {
        for (String host : List.of("127.0.0.1:" + server.port(), "localhost:" + server.port())) {
            String r = request("GET", "/metrics", host);
            assertEquals(200, status(r), r);
            assertTrue(r.toLowerCase().contains("content-type: text/plain; version=0.0.4; charset=utf-8"), r);
            assertTrue(r.endsWith("\r\n\r\n" + TEXT), r);
        }
    }

    @Test
    void refusesAHostNotOnTheAllowlist() throws Exception {
        assertEquals(403, status(request("GET", "/metrics", "127.0.0.1.evil.com")));
        assertEquals(403, status(request("GET", "/metrics", "evil.com:" + server.port())));
        assertEquals(0, scrapes.get(), "nothing is computed for a refused request");
    }

    @Test
    void answersOnlyGetOnTheExactPath() throws Exception {
        String host = "127.0.0.1:" + server.port();
        String post = request("POST", "/metrics", host);
        assertEquals(405, status(post));
        assertTrue(post.contains("Allow: GET"), post);
        assertEquals(405, status(request("DELETE", "/metrics", host)));
        assertEquals(404, status(request("GET", "/metrics/extra", host)));
        assertEquals(404, status(request("GET", "/metricsx", host)));
        assertEquals(0, scrapes.get());
    }

    @Test
    void noMetricsRouteWithoutAnExposition() throws Exception {
        try (RunnerHttpServer plain = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            try (Socket s = new Socket("127.0.0.1", plain.port())) {
                s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + plain.port()
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertEquals(404, status(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
    }
}
