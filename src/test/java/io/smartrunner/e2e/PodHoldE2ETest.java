package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * session.exitCodes with the real runner: a session exiting 78 (sysexits EX_CONFIG, mapped to
 * {@code config}) holds the whole pod, shown by GET /api/pods, without a streak; an unpause of the
 * pod by hand (POST /api/pods/podA/unpause) lets it start sessions again.
 */
@Tag("e2e")
class PodHoldE2ETest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private long count(String kind) {
        return events().stream().filter(e -> e.event().equals(kind)).count();
    }

    private HttpResponse<String> send(int port, String method, String path) throws Exception {
        String token = Files.readString(dir.resolve("data/http.token")).strip();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("{}")) : b.GET();
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anExitCodeMappedToConfigHoldsThePodUntilItIsUnpausedByHand() throws Exception {
        Path cfg = dir.resolve("hold.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "dataDir": "data"}, "http": {"port": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.1"], "cooldownMs": 100,
                             "exitCodes": {"78": "config"}},
                 "recovery": {"maxErrorStreak": 1, "steps": [], "verify": "none"},
                 "pods": [{"name": "podA", "concurrency": 2, "profiles": [{"id": "p0"},
                    {"id": "bad", "session": {"command": ["/bin/sh", "-c", "exit 78"]}}]},
                          {"name": "podB", "concurrency": 1, "profiles": [{"id": "q0"}]}]}
                """);
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            int port = runner.httpPort();
            CliProcess.await("the pod is held", 20_000, () -> count("pod-pause") == 1);
            EventRecord hold = events().stream().filter(e -> e.event().equals("pod-pause")).findFirst().orElseThrow();
            assertEquals("podA", hold.pod());
            assertEquals("bad", hold.params().get("profileId"));
            JsonNode pods = json.readTree(send(port, "GET", "/api/pods").body());
            assertEquals("podA", pods.get(0).get("pod").asText());
            assertTrue(pods.get(0).get("held").asBoolean(), pods.toString());
            assertEquals("closed", pods.get(0).get("breaker").get("state").asText());
            assertTrue(!pods.get(1).get("held").asBoolean(), "podB is not held: " + pods);
            assertTrue(pods.get(0).get("sessions").isInt() && pods.get(0).get("sessions").asInt() <= 1,
                    "a held pod starts nothing (p0's last session may still be ending): " + pods);
            assertEquals(2, pods.get(0).get("slots").asInt(), "podA's concurrency: " + pods);
            assertTrue(pods.get(1).get("sessions").asInt() <= 1 && pods.get(1).get("slots").asInt() == 1,
                    "podB: its one profile's session at most, of 1 slot: " + pods);
            long podAStarts = events().stream().filter(e -> e.event().equals("start") && "podA".equals(e.pod())).count();
            CliProcess.await("podB keeps running", 20_000, () -> events().stream()
                    .filter(e -> e.event().equals("finish") && "q0".equals(e.profileId())).count() >= 5);
            long podAStartsLater = events().stream().filter(e -> e.event().equals("start") && "podA".equals(e.pod()))
                    .count();
            assertTrue(podAStartsLater <= podAStarts + 1, "at most p0's session that was starting: "
                    + podAStarts + " -> " + podAStartsLater);
            assertEquals(0, events().stream().filter(e -> e.event().equals("pause")).count(), "no profile paused");
            EventRecord error = events().stream().filter(e -> e.event().equals("error")).findFirst().orElseThrow();
            assertEquals("infrastructure", error.params().get("class"));
            assertEquals("config", error.params().get("meaning"));
            assertEquals(0, ((Number) error.params().get("errorStreak")).intValue());

            HttpResponse<String> unpaused = send(port, "POST", "/api/pods/podA/unpause");
            assertEquals(200, unpaused.statusCode(), unpaused.body());
            EventRecord release = events().stream().filter(e -> e.event().equals("pod-unpause")).findFirst()
                    .orElseThrow();
            assertEquals("api", release.params().get("by"));
            CliProcess.await("podA runs again, and bad holds it again", 20_000, () -> count("pod-pause") == 2);
            assertEquals(409, send(port, "POST", "/api/pods/podB/unpause").statusCode(), "podB was not held");
            HttpResponse<String> nosuch = send(port, "POST", "/api/pods/nopod/unpause");
            assertEquals(404, nosuch.statusCode(), "as the pod's other routes (it was 409 \"is not held\")");
            assertEquals("{\"error\":\"no pod nopod\"}", nosuch.body());

            // held again by bad: the CLI's unpause --pod lifts the hold too (there was no CLI way)
            CliProcess.Result cli = CliProcess.run(dir, "unpause", "--pod", "podA", "-c", cfg.toString());
            assertTrue(cli.out().contains("pod podA: held no longer"), cli.out() + cli.err());
            assertTrue(cli.out().contains("p0: not paused, nothing to do"), cli.out() + cli.err());
            assertEquals(0, cli.exitCode(), "the hold lifted is what was asked (reviewer O: exit 1, \"refused\"): "
                    + cli.err());
            assertEquals("cli", events().stream().filter(e -> e.event().equals("pod-unpause")).skip(1).findFirst()
                    .orElseThrow().params().get("by"));
        } finally {
            runner.process.destroy();
            runner.process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
