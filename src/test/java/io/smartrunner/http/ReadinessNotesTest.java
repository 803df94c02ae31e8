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

    /**
     * Reviewer R9: the probes answer any Host, and their notes and reasons may name files; a page
     * in the user's browser could read them through DNS rebinding. Another Host gets the status alone.
     */
    @Test
    void notesAndReasonsGoOnlyToAnAllowedHost() throws Exception {
        loop.notes(List.of("a note naming /root/secret/place"));
        int port = server.port();

        String foreign = raw("/readyz", "evil.example:" + port);
        String allowed = raw("/readyz", "localhost:" + port);

        assertTrue(foreign.startsWith("HTTP/1.1 200"), foreign);
        assertTrue(foreign.endsWith("{\"status\":\"ok\",\"detail\":\"reasons and notes are shown to a request with"
                + " an allowed Host (127.0.0.1, localhost, the bind address, http.allowedHosts)\"}"), foreign);
        assertTrue(allowed.contains("/root/secret/place"), allowed);

        loop.notes(List.of());
        loop.problem("cannot write /root/secret/events.jsonl"); // failing: a reason
        String failing = raw("/readyz", "evil.example:" + port);
        assertTrue(failing.startsWith("HTTP/1.1 503"), "the probe's status is the same: " + failing);
        assertFalse(failing.contains("secret"), failing);
        assertTrue(raw("/readyz", "localhost:" + port).contains("/root/secret/events.jsonl"));
    }

    /** A raw GET with the Host header as given (the JDK's client will not send another). */
    private String raw(String path, String host) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
