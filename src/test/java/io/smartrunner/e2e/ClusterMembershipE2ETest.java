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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real runner processes on one PostgreSQL: unique names, both listed by {@code runners} and GET /api/runners. */
@Tag("e2e")
class ClusterMembershipE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final List<CliProcess> started = new ArrayList<>();

    private Path config(String sub, String url, String name, String labels) throws IOException {
        Path home = Files.createDirectories(dir.resolve(sub));
        return Files.writeString(home.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s", "labels": %s, "globalConcurrency": 3},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 1"], "cooldownMs": 50},
                 "pods": [{"name": "pod-%s", "profiles": [{"id": "%s-p1"}]}]}
                """.formatted(name, labels, url, PASSWORD_VAR, sub, sub));
    }

    private CliProcess start(Path cfg, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("-c", cfg.toString()));
        CliProcess p = CliProcess.start(cfg.getParent(), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                argv.toArray(String[]::new));
        started.add(p);
        return p;
    }

    private static void stop(CliProcess runner) throws Exception {
        runner.process.destroy();
        assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
        assertEquals(0, runner.process.exitValue(), runner.err());
    }

    private JsonNode runners(Path cfg) throws Exception {
        CliProcess p = start(cfg, "runners", "--json");
        assertTrue(p.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.process.exitValue(), p.err());
        return JSON.readTree(p.out());
    }

    private static List<String> field(JsonNode view, String name) {
        List<String> out = new ArrayList<>();
        view.get("runners").forEach(r -> out.add(r.get(name).asText()));
        return out;
    }

    @Test
    void namesAreUniqueAndEveryRunnerIsListedByTheCliAndTheApi() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_members");
        try {
            Path a = config("a", url, "alpha", "[\"eu\"]");
            CliProcess alpha = start(a, "run");
            alpha.httpPort();

            CliProcess twin = start(config("b", url, "alpha", "[]"), "run");
            assertTrue(twin.process.waitFor(60, TimeUnit.SECONDS), "refused at start");
            String refused = twin.err().strip();
            assertEquals(1, twin.process.exitValue(), refused);
            assertTrue(refused.startsWith("smart-runner: runner name \"alpha\" is taken by a live runner (host "),
                    refused);
            assertTrue(refused.contains("pid " + alpha.process.pid() + ", last heartbeat "), refused);
            assertEquals(1, refused.lines().count(), refused);

            CliProcess beta = start(config("b", url, "beta", "[\"gpu\", \"eu\"]"), "run");
            int betaPort = beta.httpPort();

            JsonNode cli = runners(a);
            assertEquals(List.of("alpha", "beta"), field(cli, "name"));
            assertEquals(List.of("alive", "alive"), field(cli, "state"));
            assertEquals(List.of("3", "3"), field(cli, "capacity"));
            assertEquals("[\"gpu\",\"eu\"]", cli.get("runners").get(1).get("labels").toString());

            String token = Files.readString(dir.resolve("b/data/http.token")).strip();
            HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + betaPort + "/api/runners"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, api.statusCode(), api.body());
            JsonNode fromApi = JSON.readTree(api.body());
            assertEquals(List.of("alpha", "beta"), field(fromApi, "name"));
            assertEquals(List.of("alive", "alive"), field(fromApi, "state"));
            assertEquals(List.of(String.valueOf(alpha.process.pid()), String.valueOf(beta.process.pid())),
                    field(fromApi, "pid"));

            // a graceful stop frees the name at once: another runner takes "alpha" without waiting the TTL
            stop(alpha);
            assertEquals(List.of("stopped", "alive"), field(runners(a), "state"));
            CliProcess successor = start(config("c", url, "alpha", "[]"), "run");
            successor.httpPort();
            assertTrue(successor.err().contains("joined the cluster as runner \"alpha\""), successor.err());
            stop(successor);
            stop(beta);
            // joins and leaves are in the fleet's events: each run between its runner-start and runner-stop
            assertEquals(List.of("alpha runner-start", "beta runner-start", "alpha runner-stop", "alpha runner-start",
                    "alpha runner-stop", "beta runner-stop"), runnerEvents(url));
        } finally {
            for (CliProcess p : started) {
                p.process.destroyForcibly();
            }
        }
    }

    /** "name event" of each runner-start and runner-stop in the fleet's events table, in order. */
    private static List<String> runnerEvents(String url) throws Exception {
        List<String> out = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT runner_name, event, params->>'runner'"
                     + " FROM events WHERE event LIKE 'runner-%' ORDER BY seq")) {
            while (rs.next()) {
                assertEquals(rs.getString(1), rs.getString(3), "the param names the runner too");
                out.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return out;
    }

    private static HttpResponse<String> readyz(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The heartbeat's statement fails (its table renamed away) while the rest of the store works. */
    @Test
    void aFailingHeartbeatMakesTheRunnerUnreadyWithTheReasonSaidOnceUntilItWorksAgain() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String url = server.newDatabase("e2e_heartbeat");
        String database = url.substring(url.lastIndexOf('/') + 1);
        try {
            CliProcess runner = start(config("a", url, "alpha", "[]"), "run");
            int port = runner.httpPort();
            CliProcess.await("ready", 60_000, () -> readyz(port).statusCode() == 200);

            server.execute(database, "ALTER TABLE runners RENAME TO runners_away");
            CliProcess.await("/readyz names the failing heartbeat", 60_000, () -> {
                HttpResponse<String> r = readyz(port);
                return r.statusCode() == 503 && r.body().contains("cluster heartbeat failing (");
            });
            CliProcess.await("a second failed attempt", 60_000,
                    () -> !readyz(port).body().contains("failing (1 attempt(s))"));
            server.execute(database, "ALTER TABLE runners_away RENAME TO runners");
            CliProcess.await("ready again", 60_000, () -> readyz(port).statusCode() == 200);

            stop(runner);
            String err = runner.err();
            assertEquals(1, err.lines().filter(l -> l.contains("heartbeat failed, retrying every")).count(), err);
            assertEquals(1, err.lines().filter(l -> l.contains("works again after ")).count(), err);
        } finally {
            for (CliProcess p : started) {
                p.process.destroyForcibly();
            }
        }
    }

    @Test
    void withSqliteThereIsOneRunnerAndNoMembership() throws Exception {
        Path cfg = Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"name": "solo", "labels": ["eu"], "globalConcurrency": 4},
                 "session": {"command": ["/bin/true"]}, "pods": [{"name": "p", "profiles": [{"id": "x"}]}]}
                """);
        CliProcess.Result table = CliProcess.run(dir, "runners", "-c", cfg.toString());
        assertEquals(0, table.exitCode(), table.err());
        assertEquals("runner solo labels eu capacity 4\nstore.kind is sqlite: one runner, no membership (cluster mode"
                + " needs store.kind postgres)\n", table.out());
        JsonNode json = JSON.readTree(CliProcess.run(dir, "runners", "--json", "-c", cfg.toString()).out());
        assertEquals(false, json.get("membership").asBoolean());
        assertEquals("solo", json.get("runners").get(0).get("name").asText());
    }
}
