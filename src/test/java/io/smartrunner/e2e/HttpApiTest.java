package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over real HTTP against a running runner process: reads, the mutations and the security rules. */
@Tag("e2e")
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
                 "session": {"command": ["/bin/sh", "-c", "echo said-$SR_PROFILE_ID; exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}, {"id": "p2"}]}]}""");
        runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        port = runner.httpPort();
        Path tokenFile = dir.resolve("data/http.token");
        token = Files.readString(tokenFile).strip();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
        assertTrue(runner.err().contains("generated the API token into"), runner.err());
        assertTrue(!runner.err().contains(token), "the token itself is never printed");
        // every test may rely on both profiles' first session having ended (their cooldown keeps them idle then)
        CliProcess.await("both profiles' first session", 20_000, () -> events().stream()
                .filter(e -> e.event().equals("finish")).count() >= 2);
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
        assertTrue(!r.body().contains("\"browser\""), "no browser provider, no browser field: " + r.body());
        assertEquals(200, request("GET", "/api/profiles/p2", Map.of(), null).status());
        assertEquals(404, request("GET", "/api/profiles/nope", Map.of(), null).status());
    }

    @Test
    void pauseAndUnpauseByHandWriteTheSameEventsWithByApi() throws Exception {
        Response paused = request("POST", "/api/profiles/p2/pause", json(true), "{\"durationMs\": 3600000, \"reason\": \"maintenance\"}");
        assertEquals(200, paused.status(), paused.body());
        assertTrue(paused.body().contains("\"paused\":true"), "answers with the new state: " + paused.body());
        CliProcess.await("pause event", 10_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("pause") && "api".equals(e.params().get("by"))));
        assertTrue(request("GET", "/api/profiles/p2", Map.of(), null).body().contains("\"paused\":true"));
        assertEquals(200, request("POST", "/api/profiles/p2/unpause", json(true), "{}").status());
        CliProcess.await("unpause event", 10_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("unpause") && "api".equals(e.params().get("by"))));
    }

    @Test
    void everyProfileOfAPodInOneRequestEachWithItsOwnEventAndMistakesRefusedWhole() throws Exception {
        Response r = request("POST", "/api/pods/podA/profiles/reset", json(true), "{}");

        assertEquals(200, r.status(), r.body());
        com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        assertEquals("podA", body.path("pod").asText());
        assertEquals(2, body.path("done").size() + body.path("refused").size(), r.body());
        assertTrue(body.get("queued").isArray() && body.get("queued").isEmpty(), "one runner queues nothing: " + r.body());
        for (com.fasterxml.jackson.databind.JsonNode done : body.path("done")) {
            String id = done.path("profileId").asText();
            assertTrue(events().stream().anyMatch(e -> e.event().equals("reset") && id.equals(e.profileId())
                    && "api".equals(e.params().get("by"))), "a reset event for " + id);
        }
        Response unknown = request("POST", "/api/pods/podX/profiles/pause", json(true), "{\"durationMs\": 1000}");
        assertEquals(404, unknown.status(), unknown.body());
        assertTrue(unknown.body().contains("no pod podX"), unknown.body());
        Response badName = request("POST", "/api/pods/p%20d/profiles/pause", json(true), "{\"durationMs\": 1000}");
        assertEquals(400, badName.status(), badName.body());
        assertTrue(badName.body().contains("pod name"), badName.body());
        Response badBody = request("POST", "/api/pods/podA/profiles/pause", json(true), "{\"duration\": 1000}");
        assertEquals(400, badBody.status(), badBody.body());
        assertTrue(badBody.body().contains("duration: unknown field"), badBody.body());
        assertEquals(401, request("POST", "/api/pods/podA/profiles/unpause", json(false), "{}").status());
        assertEquals(404, request("POST", "/api/pods/podA/profiles/run", json(true), "{}").status());
    }

    @Test
    void mutationsNeedTheToken() throws Exception {
        assertEquals(401, request("POST", "/api/profiles/p1/pause", json(false), "{\"durationMs\": 1000}").status());
        assertEquals(401, request("POST", "/api/profiles/p1/pause",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer wrong"), "{\"durationMs\": 1000}").status());
        for (String path : List.of("/api/profiles/p1/unpause", "/api/profiles/p1/reset", "/api/profiles/p1/run", "/api/reload")) {
            Response r = request("POST", path, json(false), "{}");
            assertEquals(401, r.status(), path);
            assertTrue(r.body().contains("bearer token"), r.body());
        }
    }

    @Test
    void dnsRebindingForeignOriginsAndNonJsonAreRefused() throws Exception {
        assertEquals(403, request("GET", "/api/profiles", Map.of("Host", "127.0.0.1.evil.com"), null).status());
        Map<String, String> evil = new java.util.HashMap<>(json(true));
        evil.put("Origin", "https://evil.com");
        assertEquals(403, request("POST", "/api/profiles/p1/pause", evil, "{\"durationMs\": 1000}").status());
        assertEquals(415, request("POST", "/api/profiles/p1/pause",
                Map.of("Content-Type", "text/plain", "Authorization", "Bearer " + token), "{\"durationMs\": 1000}").status());
        assertEquals(415, request("POST", "/api/profiles/p1/unpause", Map.of("Authorization", "Bearer " + token), "{}")
                .status(), "a body without a Content-Type");
        Response bodiless = request("POST", "/api/profiles/p1/unpause", Map.of("Authorization", "Bearer " + token), null);
        assertEquals(409, bodiless.status(), "no body, no Content-Type (curl -X POST without -d) is taken: " + bodiless.body());
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
        assertEquals(400, request("GET", "/api/profiles/../../etc/passwd", Map.of(), null).status());
        assertEquals(400, request("GET", "/api/profiles/%2e%2e/log", Map.of(), null).status());
        assertEquals(400, request("GET", "/api/profiles/p1/log?stream=../../etc/passwd", Map.of(), null).status());
        // the one id rule (ProfileId) the config and the CLI use too: "_x" and "-x" can never be configured
        Response hidden = request("POST", "/api/profiles/_x/pause", json(true), "{\"durationMs\": 1000}");
        assertEquals(400, hidden.status());
        assertTrue(hidden.body().contains("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"), hidden.body());
        assertEquals(400, request("GET", "/api/events?profile=-x", Map.of(), null).status());
        assertEquals(400, request("GET", "/api/events?pod=..", Map.of(), null).status());
        Response unknownField = request("POST", "/api/profiles/p1/pause", json(true), "{\"durationMs\": 1000, \"until\": 5}");
        assertEquals(400, unknownField.status());
        assertTrue(unknownField.body().contains("until: unknown field"), unknownField.body());
        Response tooLong = request("POST", "/api/profiles/p1/pause", json(true), "{\"durationMs\": 31536000001}");
        assertEquals(400, tooLong.status());
        Response notPaused = request("POST", "/api/profiles/p1/unpause", json(true), "{}");
        assertEquals(409, notPaused.status());
        assertTrue(notPaused.body().contains("p1 is not paused"), notPaused.body());
        Response badLimit = request("GET", "/api/events?limit=0", Map.of(), null);
        assertEquals(400, badLimit.status());
        assertTrue(badLimit.body().contains("limit: expected an integer from 1 to 1000"), badLimit.body());
        assertEquals(400, request("GET", "/api/events?profile=p1&sort=asc", Map.of(), null).status());
        assertEquals(400, request("GET", "/api/events?after=1&before=2", Map.of(), null).status());
        assertTrue(runner.process.isAlive(), "the runner keeps running");
    }

    @Test
    void oddTargetsAndBodiesAre400sNotEmpty200sOr500s() throws Exception {
        // a bad %-escape in the query: java.net.URI refuses it after Jetty took it; it was an empty 200 on every route
        for (String path : List.of("/healthz?%", "/api/profiles?%zz=1", "/api/summary?%")) {
            Response r = request("GET", path, Map.of(), null);
            assertEquals(400, r.status(), path + ": " + r.body());
            assertTrue(r.body().contains("\"error\":\"request target: not a valid URI"), r.body());
        }
        Response deep = request("POST", "/api/profiles/p1/pause", json(true), "[".repeat(5000));
        assertEquals(400, deep.status(), deep.body());
        assertTrue(deep.body().contains("body: nested too deeply"), deep.body());
        Response twice = request("POST", "/api/profiles/p1/pause", json(true), "{\"durationMs\": 1, \"durationMs\": 99}");
        assertEquals(400, twice.status(), twice.body());
        assertTrue(twice.body().contains("body: a field given twice"), twice.body());
        Response trailing = request("POST", "/api/profiles/p1/pause", json(true), "{\"durationMs\": 1000} {}");
        assertEquals(400, trailing.status(), trailing.body());
        assertTrue(trailing.body().contains("body: more after the object"), trailing.body());
        for (String path : List.of("/api/profiles/p1/reset", "/api/profiles/p1/unpause", "/api/reload",
                "/api/pods/podA/profiles/reset")) {
            Response r = request("POST", path, json(true), "{\"force\": true}");
            assertEquals(400, r.status(), path + ": " + r.body());
            assertTrue(r.body().contains("force: unknown field;"), r.body());
        }
        // a control takes no query (reviewer R22: it was ignored): refused before anything is done
        long resets = events().stream().filter(e -> e.event().equals("reset")).count();
        for (String path : List.of("/api/profiles/p1/reset?x=1", "/api/pods/podA/profiles/reset?x=1",
                "/api/pods/podA/unpause?x=1")) {
            Response r = request("POST", path, json(true), "{}");
            assertEquals(400, r.status(), path + ": " + r.body());
            assertTrue(r.body().contains("query: unknown parameter \\\"x\\\""), path + ": " + r.body());
        }
        assertEquals(resets, events().stream().filter(e -> e.event().equals("reset")).count(), "no reset was done");
        // a body shorter than its Content-Length, then the client's end closed: a 400, not a 500
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/profiles/p1/pause HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer "
                    + token + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{}")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            s.shutdownOutput();
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(raw.startsWith("HTTP/1.1 400") && raw.contains("body: shorter than its Content-Length"), raw);
        }
        assertTrue(runner.process.isAlive(), "the runner keeps running");
    }

    @Test
    void resetAndRunNowWriteTheirEventsAndRunNowStartsASessionInsideTheCooldown() throws Exception {
        CliProcess.await("p1's first session", 10_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("finish") && e.profileId().equals("p1")));
        Response reset = request("POST", "/api/profiles/p1/reset", json(true), "{}");
        assertEquals(200, reset.status(), reset.body());
        assertTrue(reset.body().contains("\"errorStreak\":0"), reset.body());
        long startsBefore = events().stream().filter(e -> e.event().equals("start") && e.profileId().equals("p1")).count();
        Response run = request("POST", "/api/profiles/p1/run", json(true), "");
        assertEquals(202, run.status(), run.body());
        // the cooldown is 10 minutes: only run-now can start p1 again now
        CliProcess.await("run-now starts p1", 10_000, () -> events().stream()
                .filter(e -> e.event().equals("start") && e.profileId().equals("p1")).count() > startsBefore);
        assertTrue(events().stream().anyMatch(e -> e.event().equals("reset") && "api".equals(e.params().get("by"))));
        assertTrue(events().stream().anyMatch(e -> e.event().equals("run") && "api".equals(e.params().get("by"))));
    }

    @Test
    void eventsPageBackwardsAndForwardsWithFiltersAndCursors() throws Exception {
        CliProcess.await("both profiles ran", 10_000, () -> events().stream().filter(e -> e.event().equals("finish")).count() >= 2);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var newest = json.readTree(request("GET", "/api/events?limit=1", Map.of(), null).body());
        assertEquals(1, newest.get("events").size());
        var older = json.readTree(request("GET", "/api/events?limit=1&before=" + newest.get("first").asLong(), Map.of(), null).body());
        assertEquals(1, older.get("events").size());
        var again = json.readTree(request("GET", "/api/events?limit=1&after=" + older.get("next").asLong(), Map.of(), null).body());
        assertEquals(newest.get("events").get(0), again.get("events").get(0), "forward from the older page reaches the newest");
        var starts = json.readTree(request("GET", "/api/events?event=start&profile=p2&limit=1000&after=0", Map.of(), null).body());
        assertTrue(starts.get("events").size() >= 1);
        starts.get("events").forEach(e -> {
            assertEquals("start", e.get("event").asText());
            assertEquals("p2", e.get("profileId").asText());
        });
        List<EventRecord> all = events();
        var everything = json.readTree(request("GET", "/api/events?after=0&limit=1000", Map.of(), null).body());
        assertTrue(everything.get("events").size() >= all.size(), "every event of the log, in order");
        assertEquals(all.get(0).event(), everything.get("events").get(0).get("event").asText());
    }

    @Test
    void aProfilesSessionLogIsServedByIdOnly() throws Exception {
        CliProcess.await("p2's first session", 10_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("finish") && e.profileId().equals("p2")));
        Response log = request("GET", "/api/profiles/p2/log?stream=stdout", Map.of(), null);
        assertEquals(200, log.status());
        assertTrue(log.body().contains("said-p2"), log.body());
        assertEquals(404, request("GET", "/api/profiles/ghost/log", Map.of(), null).status());
    }

    @Test
    void reportHasStepsPodsAndAnHourOfTimeline() throws Exception {
        CliProcess.await("a session ran", 10_000, () -> events().stream().anyMatch(e -> e.event().equals("finish")));
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(request("GET", "/api/report", Map.of(), null).body());
        assertTrue(report.has("steps") && report.has("pods"), report.toString());
        assertEquals(60, report.get("timeline").size());
        long started = 0;
        for (var minute : report.get("timeline")) {
            started += minute.get("started").asLong();
        }
        long startEvents = events().stream().filter(e -> e.event().equals("start")).count();
        assertTrue(started >= 1 && started <= startEvents, started + " started in the timeline, " + startEvents + " in the log");
        assertTrue(report.get("pods").get("podA").get("sessions").asLong() >= 1);
    }

    @Test
    void theEventStreamDeliversNewEventsInOrderAndResumesFromLastEventId() throws Exception {
        long end = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(request("GET", "/api/events?limit=1", Map.of(), null).body()).get("next").asLong();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> stream = client.send(java.net.http.HttpRequest
                .newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events/stream?event=reset&after=" + end)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                stream.body().forEach(lines::add);
            } catch (java.io.UncheckedIOException closedAtTheEnd) {
                // the runner stops after the tests
            }
        });
        reader.setDaemon(true);
        reader.start();
        for (String id : List.of("p2", "p1", "p2")) {
            assertEquals(200, request("POST", "/api/profiles/" + id + "/reset", json(true), "{}").status());
        }
        List<String> order = new java.util.ArrayList<>();
        String lastId = null;
        while (order.size() < 3) {
            String line = lines.poll(10, TimeUnit.SECONDS);
            assertTrue(line != null, "three reset events arrive; got " + order);
            if (line.startsWith("id: ")) {
                lastId = line.substring(4);
            } else if (line.startsWith("data: ")) {
                order.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring(6)).get("profileId").asText());
            }
        }
        assertEquals(List.of("p2", "p1", "p2"), order);
        // a client that reconnects with Last-Event-ID gets what came after, and nothing twice
        assertEquals(200, request("POST", "/api/profiles/p1/reset", json(true), "{}").status());
        java.net.http.HttpResponse<java.util.stream.Stream<String>> resumed = client.send(java.net.http.HttpRequest
                .newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events/stream?event=reset"))
                .header("Last-Event-ID", lastId).build(), java.net.http.HttpResponse.BodyHandlers.ofLines());
        String first = resumed.body().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
        assertTrue(first.contains("\"profileId\":\"p1\""), first);
    }
}
