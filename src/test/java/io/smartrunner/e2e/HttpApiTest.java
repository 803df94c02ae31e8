package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over real HTTP against a running runner process: reads, the pause/unpause mutations and the security rules. */
class HttpApiTest {
    @TempDir
    static Path dir;
    private static CliProcess runner;
    private static int port;
    private static String token;

    @BeforeAll
    static void startRunner() throws Exception {
        Path cfg = dir.resolve("api.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}, {"id": "p2"}]}]}""");
        runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");
        CliProcess.await("the runner says where it listens", 20_000, () -> {
            try {
                return url.matcher(runner.err()).find();
            } catch (IOException e) {
                return false;
            }
        });
        Matcher m = url.matcher(runner.err());
        assertTrue(m.find());
        port = Integer.parseInt(m.group(1));
        Path tokenFile = dir.resolve("data/http.token");
        token = Files.readString(tokenFile).strip();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
        assertTrue(runner.err().contains("generated the API token into"), runner.err());
        assertTrue(!runner.err().contains(token), "the token itself is never printed");
    }

    @AfterAll
    static void stopRunner() throws Exception {
        runner.process.destroy();
        runner.process.waitFor(20, TimeUnit.SECONDS);
    }

    /** A raw request, so tests control every header (Host included). */
    private static Response request(String method, String path, Map<String, String> headers, String body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            Map<String, String> h = new java.util.LinkedHashMap<>(Map.of("Host", "127.0.0.1:" + port, "Connection", "close"));
            h.putAll(headers);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(raw.substring(9, 12));
            return new Response(status, raw.substring(raw.indexOf("\r\n\r\n") + 4));
        }
    }

    private record Response(int status, String body) {
    }

    private static Map<String, String> json(boolean auth) {
        return auth ? Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token)
                : Map.of("Content-Type", "application/json");
    }

    private static List<EventRecord> events() {
        return EventLogReader.readAll(dir.resolve("logs/events.jsonl"));
    }

    @Test
    void listsProfilesWithTheSpecsStateObjects() throws Exception {
        Response r = request("GET", "/api/profiles", Map.of(), null);
        assertEquals(200, r.status());
        assertTrue(r.body().contains("\"profileId\":\"p1\"") && r.body().contains("\"flags\":{"), r.body());
        assertEquals(200, request("GET", "/api/profiles/p2", Map.of(), null).status());
        assertEquals(404, request("GET", "/api/profiles/nope", Map.of(), null).status());
    }

    @Test
    void pauseAndUnpauseByHandWriteTheSameEventsWithByApi() throws Exception {
        Response paused = request("POST", "/api/profiles/p2/pause", json(true), "{\"durationMs\": 3600000, \"reason\": \"maintenance\"}");
        assertEquals(202, paused.status(), paused.body());
        CliProcess.await("pause event", 10_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("pause") && "api".equals(e.params().get("by"))));
        assertTrue(request("GET", "/api/profiles/p2", Map.of(), null).body().contains("\"paused\":true"));
        assertEquals(202, request("POST", "/api/profiles/p2/unpause", json(true), "{}").status());
        CliProcess.await("unpause event", 10_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("unpause") && "api".equals(e.params().get("by"))));
    }

    @Test
    void mutationsNeedTheToken() throws Exception {
        assertEquals(401, request("POST", "/api/profiles/p1/pause", json(false), "{\"durationMs\": 1000}").status());
        assertEquals(401, request("POST", "/api/profiles/p1/pause",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer wrong"), "{\"durationMs\": 1000}").status());
    }

    @Test
    void dnsRebindingForeignOriginsAndNonJsonAreRefused() throws Exception {
        assertEquals(403, request("GET", "/api/profiles", Map.of("Host", "127.0.0.1.evil.com"), null).status());
        Map<String, String> evil = new java.util.HashMap<>(json(true));
        evil.put("Origin", "https://evil.com");
        assertEquals(403, request("POST", "/api/profiles/p1/pause", evil, "{\"durationMs\": 1000}").status());
        assertEquals(415, request("POST", "/api/profiles/p1/pause",
                Map.of("Content-Type", "text/plain", "Authorization", "Bearer " + token), "{\"durationMs\": 1000}").status());
        assertEquals(405, request("GET", "/api/profiles/p1/pause", Map.of(), null).status());
        assertEquals(405, request("DELETE", "/api/profiles", Map.of(), null).status());
    }

    @Test
    void badBodiesAndIdsAre4xxWithAJsonErrorNamingTheField() throws Exception {
        Response malformed = request("POST", "/api/profiles/p1/pause", json(true), "{\"durationMs\": ");
        assertEquals(400, malformed.status());
        assertTrue(malformed.body().contains("\"error\":\"body: malformed JSON"), malformed.body());
        Response negative = request("POST", "/api/profiles/p1/pause", json(true), "{\"durationMs\": -5}");
        assertEquals(400, negative.status());
        assertTrue(negative.body().contains("durationMs"), negative.body());
        assertEquals(404, request("POST", "/api/profiles/ghost/pause", json(true), "{\"durationMs\": 1000}").status());
        assertEquals(400, request("GET", "/api/profiles/..%2F..%2Fetc%2Fpasswd", Map.of(), null).status());
        assertTrue(runner.process.isAlive(), "the runner keeps running");
    }
}
