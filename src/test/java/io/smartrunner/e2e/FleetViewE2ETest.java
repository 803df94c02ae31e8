package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11.6 with two real runner processes on one PostgreSQL (disjoint profiles): each runner's
 * API shows the whole fleet with the runner of each profile, an event written by one arrives on
 * the other's live stream, and a pause sent to one runner stops the profile running on the other.
 */
@Tag("e2e")
class FleetViewE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private final List<CliProcess> started = new ArrayList<>();

    private Path config(String sub, String url, String name, String sessionSeconds) throws IOException {
        Path home = Files.createDirectories(dir.resolve(sub));
        return Files.writeString(home.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s", "globalConcurrency": 3},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "session": {"command": ["/bin/sh", "-c", "sleep %s"], "cooldownMs": 50},
                 "pods": [{"name": "pod-%s", "profiles": [{"id": "%s-p1"}]}]}
                """.formatted(name, url, PASSWORD_VAR, sessionSeconds, sub, sub));
    }

    private CliProcess start(Path cfg, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("-c", cfg.toString()));
        CliProcess p = CliProcess.start(cfg.getParent(), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                argv.toArray(String[]::new));
        started.add(p);
        return p;
    }

    private String token(String sub) throws IOException {
        return Files.readString(dir.resolve(sub + "/data/http.token")).strip();
    }

    private static HttpResponse<String> get(int port, String path, String token) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> post(int port, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode profile(int port, String token, String id) throws IOException {
        for (JsonNode p : JSON.readTree(get(port, "/api/profiles", token).body())) {
            if (p.get("profileId").asText().equals(id)) {
                return p;
            }
        }
        return null;
    }

    /** The SSE stream's data lines, collected on a thread of its own until the test ends. */
    private static List<String> follow(int port, String token) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/events/stream"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        lines.add(line.substring(6));
                    }
                }
            } catch (IOException e) {
                lines.add("CLOSED: " + e); // the runner stopped
            }
            lines.add("END");
        }, "sse-reader");
        t.setDaemon(true);
        t.start();
        return lines;
    }

    /** Whether a client other than the runners' own listens (the follower's LISTEN connection is up). */
    private static boolean hasListener(String url) throws Exception {
        try (java.sql.Connection c = PostgresServer.shared().connect(url.substring(url.lastIndexOf('/') + 1));
             java.sql.Statement st = c.createStatement();
             // the listener's connection by its name only: its last query is LISTEN for its first 5 s, then the
             // liveness probe's SELECT 1 (NotifyListener.PROBE_EVERY_MS); alpha's and beta's had long probed
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                     + " 'smart-runner-listen'")) {
            rs.next();
            return rs.getInt(1) >= 3; // alpha's, beta's and the follower's
        }
    }

    @Test
    void everyRunnerShowsTheWholeFleetLiveAndAPauseSentToOneStopsTheProfileOnTheOther() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_fleet_view");
        try {
            CliProcess alpha = start(config("a", url, "alpha", "300"), "run");
            CliProcess beta = start(config("b", url, "beta", "1"), "run");
            int alphaPort = alpha.httpPort();
            int betaPort = beta.httpPort();
            String alphaToken = token("a");
            String betaToken = token("b");

            // each runner's /api/profiles: both runners' profiles, with the runner each is on
            for (int[] port : new int[][] {{alphaPort}, {betaPort}}) {
                String tok = port[0] == alphaPort ? alphaToken : betaToken;
                CliProcess.await("both profiles with their runner on :" + port[0], 60_000, () -> {
                    try {
                        JsonNode a = profile(port[0], tok, "a-p1");
                        JsonNode b = profile(port[0], tok, "b-p1");
                        return a != null && b != null && "alpha".equals(a.get("runner").asText())
                                && "beta".equals(b.get("runner").asText());
                    } catch (IOException e) {
                        return false;
                    }
                });
            }
            CliProcess.await("a-p1 running on alpha", 60_000, () -> {
                try {
                    return profile(betaPort, betaToken, "a-p1").get("flags").get("running").asBoolean();
                } catch (IOException e) {
                    return false;
                }
            });

            List<String> betaStream = follow(betaPort, betaToken);
            CliProcess follower = start(dir.resolve("b/fleet.json"), "events", "--follow", "-n", "0");
            CliProcess.await("events --follow listening", 30_000, () -> {
                try {
                    return hasListener(url);
                } catch (Exception e) {
                    return false;
                }
            });

            // a pause sent to beta for the profile running on alpha
            java.time.Instant asked = java.time.Instant.now();
            HttpResponse<String> pause = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + betaPort + "/api/profiles/a-p1/pause"))
                    .header("Authorization", "Bearer " + betaToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"durationMs\": 600000, \"reason\": \"fleet test\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, pause.statusCode(), pause.body());
            assertTrue(JSON.readTree(pause.body()).get("flags").get("paused").asBoolean(), pause.body());

            // alpha applied it: its local log has the pause, who asked through which runner, and who applied it
            Path alphaLog = dir.resolve("a/logs/events.jsonl");
            CliProcess.await("alpha's session of a-p1 stopped", 60_000, () -> {
                try {
                    return Files.readString(alphaLog).lines().anyMatch(l -> l.contains("\"profileId\":\"a-p1\"")
                            && l.contains("\"event\":\"error\"") && l.contains("\"runner\":\"alpha\""));
                } catch (IOException e) {
                    return false;
                }
            });
            String pauseLine = Files.readString(alphaLog).lines().filter(l -> l.contains("\"event\":\"pause\""))
                    .findFirst().orElseThrow();
            JsonNode pauseEvent = JSON.readTree(pauseLine);
            assertEquals("api@beta", pauseEvent.get("params").get("by").asText(), pauseLine);
            assertEquals("alpha", pauseEvent.get("params").get("runner").asText(), pauseLine);
            String stopLine = Files.readString(alphaLog).lines().filter(l -> l.contains("\"event\":\"error\""))
                    .findFirst().orElseThrow();
            System.out.printf("pause sent to beta: applied on alpha after %d ms, its session ended after %d ms%n",
                    java.time.Duration.between(asked, java.time.Instant.parse(pauseEvent.get("ts").asText())).toMillis(),
                    java.time.Duration.between(asked, java.time.Instant.parse(JSON.readTree(stopLine).get("ts").asText()))
                            .toMillis());

            // alpha's pause event reached beta's live stream through PostgreSQL
            try {
                CliProcess.await("alpha's pause on beta's stream", 30_000, () -> betaStream.stream()
                        .anyMatch(l -> l.contains("\"event\":\"pause\"") && l.contains("\"runner\":\"alpha\"")));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + betaStream + "\nfollower: " + follower.out()
                        + follower.err() + "\nbeta: " + beta.err(), e);
            }
            // and beta's /api/events reads it from the fleet's log
            JsonNode paused = JSON.readTree(get(betaPort, "/api/events?event=pause", betaToken).body()).get("events");
            assertEquals(1, paused.size(), paused.toString());
            assertEquals("a-p1", paused.get(0).get("profileId").asText());

            // events --follow on beta's config prints alpha's pause, through PostgreSQL
            CliProcess.await("alpha's pause printed by events --follow", 30_000, () -> {
                try {
                    return follower.out().lines().anyMatch(l -> l.contains("\"event\":\"pause\"")
                            && l.contains("\"runner\":\"alpha\""));
                } catch (IOException e) {
                    return false;
                }
            });
            follower.process.destroy();

            // a session log is on the machine of the runner that ran it: beta does not pass its own
            // (absent or old) file off as a-p1's, it names the runner to ask
            HttpResponse<String> elsewhere = get(betaPort, "/api/profiles/a-p1/log", betaToken);
            assertEquals(409, elsewhere.statusCode(), elsewhere.body());
            assertTrue(elsewhere.body().contains("a-p1's sessions run on runner alpha"), elsewhere.body());
            assertEquals(200, get(alphaPort, "/api/profiles/a-p1/log", alphaToken).statusCode());
            assertEquals(200, get(betaPort, "/api/profiles/b-p1/log", betaToken).statusCode());

            String metrics = get(betaPort, "/metrics", betaToken).body();
            assertTrue(metrics.contains("smartrunner_fleet_events_stale_rejected_total 0.0"), metrics);
            assertTrue(metrics.contains("smartrunner_fleet_events_not_sent_total 0.0"), metrics);

            // beta's /api/report counts alpha's events too
            CliProcess.await("beta's /api/report has both pods", 30_000, () -> {
                try {
                    JsonNode live = JSON.readTree(get(betaPort, "/api/report", betaToken).body()).get("pods");
                    return live.has("pod-a") && live.has("pod-b") && live.get("pod-a").get("pauses").asInt() == 1;
                } catch (IOException e) {
                    return false;
                }
            });

            // status and report read the fleet too, whichever runner's config they are given
            CliProcess status = start(dir.resolve("b/fleet.json"), "status", "--json");
            assertTrue(status.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, status.process.exitValue(), status.err());
            JsonNode states = JSON.readTree(status.out());
            assertEquals(2, states.size(), states.toString());
            assertEquals("a-p1", states.get(0).get("profileId").asText());
            assertEquals("alpha", states.get(0).get("runner").asText());
            assertTrue(states.get(0).get("flags").get("paused").asBoolean(), states.toString());
            assertEquals("beta", states.get(1).get("runner").asText());
            CliProcess report = start(dir.resolve("b/fleet.json"), "report", "--json");
            assertTrue(report.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, report.process.exitValue(), report.err());
            JsonNode pods = JSON.readTree(report.out()).get("pods");
            assertTrue(pods.has("pod-a") && pods.has("pod-b"), pods.toString());

            // with alpha gone nobody holds a-p1: a reset sent to beta is written by beta to the database
            // (it waited 3 s for a holder and answered 202 queued until the twenty-ninth session), and
            // a run-now, which needs a runner to run it, is queued for the next holder
            assertTrue(profile(betaPort, betaToken, "a-p1").get("held").asBoolean(), "alpha holds it");
            alpha.process.destroy();
            assertTrue(alpha.process.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
            // beta does not list a-p1: nobody runs it now, and the list says so (its runner: the last one)
            CliProcess.await("a-p1 held by nobody", 30_000, () -> {
                try {
                    JsonNode a = profile(betaPort, betaToken, "a-p1");
                    return !a.get("held").asBoolean() && "alpha".equals(a.get("runner").asText());
                } catch (IOException e) {
                    return false;
                }
            });
            assertTrue(profile(betaPort, betaToken, "b-p1").get("held").asBoolean(), "beta's own");
            HttpResponse<String> reset = post(betaPort, "/api/profiles/a-p1/reset", betaToken);
            assertEquals(200, reset.statusCode(), reset.body());
            assertTrue(JSON.readTree(reset.body()).get("flags").get("paused").asBoolean(), "a reset leaves the pause: " + reset.body());
            JsonNode resets = JSON.readTree(get(betaPort, "/api/events?profile=a-p1&event=reset", betaToken).body()).get("events");
            assertEquals(1, resets.size(), resets.toString());
            assertEquals("api@beta", resets.get(0).get("params").get("by").asText(), resets.toString());
            HttpResponse<String> queued = post(betaPort, "/api/profiles/a-p1/run", betaToken);
            assertEquals(202, queued.statusCode(), queued.body());
            assertTrue(JSON.readTree(queued.body()).get("queued").asText().contains("whichever runner holds a-p1 next applies it"),
                    queued.body());

            for (CliProcess p : List.of(alpha, beta)) {
                p.process.destroy();
                assertTrue(p.process.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
                assertEquals(0, p.process.exitValue(), p.err());
            }
        } finally {
            for (CliProcess p : started) {
                p.process.destroyForcibly();
            }
        }
    }
}
