package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole pod paused and unpaused through one runner's API in a fleet of two real runners on one
 * PostgreSQL, each profile where it lives: those the asked runner holds by its loop, those the
 * other holds relayed to it, one nobody holds (its runner stopped and gave it back; it is pinned to
 * that runner's label) and one no runner ever ran (pinned to a label no runner has: no row in the
 * fleet until then, yet in its list) written to the database by the asked runner. Every profile is done in the answer, none queued: before, the
 * unheld one waited 3 s for a holder that was not coming and came back "refused" and unpaused.
 * With the other runner frozen its profiles come back {@code queued} (their own list, not
 * refused), and it applies them once it runs again.
 */
@Tag("e2e")
class PodControlInFleetE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Set<String> POD = Set.of("a1", "a2", "b1", "b2", "n1", "w1");

    @TempDir
    Path dir;
    private final List<CliProcess> started = new ArrayList<>();

    private Path config(String name, String label, String url) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        return Files.writeString(home.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s", "labels": ["%s"], "globalConcurrency": 4},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.3"], "cooldownMs": 200, "stopGraceMs": 500},
                 "pods": [{"name": "pod-a", "concurrency": 12, "profiles": [
                    {"id": "a1", "runOn": ["a"]}, {"id": "a2", "runOn": ["a"]},
                    {"id": "b1", "runOn": ["b"]}, {"id": "b2", "runOn": ["b"]},
                    {"id": "n1", "runOn": ["g"]}, {"id": "w1", "runOn": ["gpu"]}]}]}
                """.formatted(name, label, url, PASSWORD_VAR));
    }

    private CliProcess start(Path cfg) throws IOException {
        CliProcess p = CliProcess.start(cfg.getParent(), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                "run", "-c", cfg.toString());
        started.add(p);
        return p;
    }

    private HttpResponse<String> call(String runner, String method, String path, String body) throws Exception {
        Path data = dir.resolve(runner).resolve("data");
        int port = Integer.parseInt(Files.readString(data.resolve("http.port")).strip());
        String token = Files.readString(data.resolve("http.token")).strip();
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Each profile of the fleet, by id, as runner {@code on}'s API shows it. */
    private Map<String, JsonNode> profiles(String on) throws Exception {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        for (JsonNode p : JSON.readTree(call(on, "GET", "/api/profiles", null).body())) {
            out.put(p.get("profileId").asText(), p);
        }
        return out;
    }

    private static Set<String> ids(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(p -> out.add(p.get("profileId").asText()));
        return out;
    }

    /** The {@code event} events of the local log under {@code runner}, as "profileId by". */
    private List<String> logged(String runner, String event) throws IOException {
        Path log = dir.resolve(runner).resolve("logs/events.jsonl");
        List<String> out = new ArrayList<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                JsonNode e = JSON.readTree(line);
                if (event.equals(e.path("event").asText())) {
                    out.add(e.path("profileId").asText() + " " + e.path("params").path("by").asText());
                }
            }
        }
        return out;
    }

    private boolean holds(String runner, Set<String> ids) {
        try {
            Map<String, JsonNode> all = profiles("alpha");
            return ids.stream().allMatch(id -> all.containsKey(id) && runner.equals(all.get(id).path("runner").asText()));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aPodIsPausedWhereverEachProfileLivesAndAFrozenHoldersShareIsQueuedNotRefused() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_pod_fleet");
        try {
            // n1 ran on gamma, which stopped and gave it back: its row is in the fleet, nobody holds it
            CliProcess gamma = start(config("gamma", "g", url));
            start(config("alpha", "a", url));
            CliProcess beta = start(config("beta", "b", url));
            CliProcess.await("gamma holds n1, alpha a1 and a2, beta b1 and b2", 90_000, () -> holds("gamma", Set.of("n1"))
                    && holds("alpha", Set.of("a1", "a2")) && holds("beta", Set.of("b1", "b2")));
            gamma.process.destroy();
            assertTrue(gamma.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, gamma.process.exitValue(), gamma.err()); // a graceful stop releases its leases

            HttpResponse<String> pause = call("alpha", "POST", "/api/pods/pod-a/profiles/pause",
                    "{\"durationMs\": 3600000, \"reason\": \"site down\"}");
            assertEquals(200, pause.statusCode(), pause.body());
            JsonNode paused = JSON.readTree(pause.body());
            assertEquals(POD, ids(paused.get("done")), pause.body());
            assertEquals(0, paused.get("refused").size(), pause.body());
            assertEquals(0, paused.get("queued").size(), pause.body());
            // and so it is, in the fleet's rows as the other runner reads them
            Map<String, JsonNode> seen = profiles("beta");
            for (String id : POD) {
                assertTrue(seen.get(id).path("flags").path("paused").asBoolean(), id + ": " + seen.get(id));
            }
            // each recorded once, where it was decided: b1, b2 by beta (relayed), a1, a2 by alpha's loop,
            // n1 in the fleet's table only (nobody holds it: alpha's API wrote the row and its event)
            assertEquals(List.of("b1 api@alpha", "b2 api@alpha"), logged("beta", "pause").stream().sorted().toList());
            assertEquals(List.of("a1 api", "a2 api"), logged("alpha", "pause").stream().sorted().toList());
            assertEquals(List.of(), logged("gamma", "pause"), "gamma had stopped");
            JsonNode w1 = profiles("alpha").get("w1");
            assertTrue(w1.path("flags").path("paused").asBoolean() && w1.path("runner").isNull(), w1.toString());
            JsonNode n1Events = JSON.readTree(call("beta", "GET", "/api/events?profile=n1&event=pause", null).body()).get("events");
            assertEquals(1, n1Events.size(), n1Events.toString());
            assertEquals("api@alpha", n1Events.get(0).path("params").path("by").asText(), n1Events.toString());
            assertEquals("site down", n1Events.get(0).path("params").path("reason").asText(), n1Events.toString());

            // a control the unheld profile's state refuses is refused, and nothing is written
            HttpResponse<String> again = call("alpha", "POST", "/api/profiles/n1/pause", "{\"durationMs\": 60000}");
            assertEquals(409, again.statusCode(), again.body());
            assertTrue(again.body().contains("n1 is already paused"), again.body());
            assertEquals(1, JSON.readTree(call("alpha", "GET", "/api/events?profile=n1&event=pause", null).body())
                    .get("events").size());

            // beta frozen (its leases still live): its share waits for it, listed as queued
            signal("STOP", beta);
            HttpResponse<String> unpause;
            try {
                unpause = call("alpha", "POST", "/api/pods/pod-a/profiles/unpause", "{}");
            } finally {
                signal("CONT", beta);
            }
            assertEquals(200, unpause.statusCode(), unpause.body());
            JsonNode unpaused = JSON.readTree(unpause.body());
            assertEquals(Set.of("a1", "a2", "n1", "w1"), ids(unpaused.get("done")), unpause.body());
            assertEquals(Set.of("b1", "b2"), ids(unpaused.get("queued")), unpause.body());
            assertEquals(0, unpaused.get("refused").size(), unpause.body());
            String why = unpaused.get("queued").get(0).get("queued").asText();
            assertTrue(why.startsWith("no runner applied it within 3 s; whichever runner holds b"), why);
            CliProcess.await("beta applies the queued unpauses", 30_000, () -> {
                try {
                    return logged("beta", "unpause").size() == 2;
                } catch (IOException e) {
                    return false;
                }
            });
            CliProcess.await("every profile of the pod runs again", 30_000, () -> {
                try {
                    return profiles("alpha").values().stream().noneMatch(p -> p.path("flags").path("paused").asBoolean());
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            for (CliProcess p : started) {
                p.process.destroyForcibly();
            }
        }
    }

    private static void signal(String name, CliProcess p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(p.process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }
}
