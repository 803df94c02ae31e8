package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runners of one fleet whose configs disagree about what both run (reviewer R, session 40:
 * nothing compared them, and a pod ran at two concurrencies, a profile with two commands, by
 * whichever runner held it): each says so on stderr and in {@code /readyz}, {@code runners} lists
 * how, and a reload that brings them together says so too. The secret in the command reaches
 * neither the database nor the comparison.
 */
@Tag("e2e")
class FleetConfigAgreementE2ETest {
    private static final String SECRET = "fc-secret-value-4821";
    private static final String DIFFERENCES = "pod podA has concurrency 2 on alpha, 3 on beta (its slots are the fleet's);"
            + " 1 profile(s) in another pod: q1 (podB on alpha, podA on beta);"
            + " 1 profile(s) with another session command: p3";

    @TempDir
    Path dir;

    private Path config(String name, String pods) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        return Files.writeString(home.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s"}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "%s"},
                 "cluster": {"leaseTtlMs": 6000, "renewEveryMs": 500, "renewDeadlineMs": 5000},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.2", "${env:SR_FC_SECRET}"], "cooldownMs": 100},
                 "pods": %s}
                """.formatted(name, url, PostgresServer.PASSWORD, pods));
    }

    private String url;

    @Test
    void runnersThatDisagreeSayHowAndAReloadThatAgreesSaysSo() throws Exception {
        url = PostgresServer.shared().newDatabase("e2e_fleet_config");
        String alphaPods = """
                [{"name": "podA", "concurrency": 2, "profiles": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]},
                 {"name": "podB", "profiles": [{"id": "q1"}]}]""";
        Path alphaCfg = config("alpha", alphaPods);
        Path betaCfg = config("beta", """
                [{"name": "podA", "concurrency": 3, "profiles": [{"id": "p1"}, {"id": "p2"},
                   {"id": "p3", "session": {"command": ["/bin/sh", "-c", "sleep 0.3"]}}, {"id": "q1"}]}]""");
        Map<String, String> env = Map.of("SR_FC_SECRET", SECRET);
        CliProcess alpha = CliProcess.start(alphaCfg.getParent(), env, "run", "-c", alphaCfg.toString());
        CliProcess beta = null;
        try {
            awaitErr(alpha, "alpha running", "running 4 profile(s)");
            beta = CliProcess.start(betaCfg.getParent(), env, "run", "-c", betaCfg.toString());
            CliProcess b = beta;
            awaitErr(b, "beta's finding", "this runner's config differs from runner alpha: " + DIFFERENCES
                    + " (each runner runs the profiles it holds by its own config");
            // the runner that was there first sees the newcomer at its next comparison (15 heartbeats)
            awaitErr(alpha, "alpha's finding", "this runner's config differs from runner beta: " + DIFFERENCES);
            assertTrue(get(b.httpPort(), "/readyz").contains("config differs from runner(s) alpha"),
                    get(b.httpPort(), "/readyz"));

            CliProcess.Result runners = CliProcess.run(dir, "runners", "-c", alphaCfg.toString());
            assertEquals(0, runners.exitCode(), runners.err());
            assertTrue(runners.out().contains("runners alpha and beta disagree about what both run (each runs the profiles"
                    + " it holds by its own config): " + DIFFERENCES), runners.out());
            JsonNode json = new ObjectMapper().readTree(
                    CliProcess.run(dir, "runners", "--json", "-c", alphaCfg.toString()).out());
            assertEquals("[\"beta\"]", json.at("/runners/0/configDiffersFrom").toString(), json.toString());
            assertEquals("[\"alpha\",\"beta\"]", json.at("/configDisagreements/0/runners").toString());
            try (Connection c = PostgresServer.shared().connect(url.substring(url.lastIndexOf('/') + 1));
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT string_agg(fleet_config, '') FROM runners")) {
                rs.next();
                assertTrue(rs.getString(1).contains("\"podA\""), "published: " + rs.getString(1));
                assertFalse(rs.getString(1).contains(SECRET), "the secret is masked before the digest");
            }

            // beta given alpha's pods: a reload, and it says they agree
            Files.writeString(betaCfg, Files.readString(betaCfg).replaceFirst("(?s)\"pods\": \\[.*]\\s*}",
                    "\"pods\": " + alphaPods.replace("$", "\\$") + "}"));
            // SIGHUP: the CLI's reload would need the runner's secret in its own environment
            assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(b.process.pid())).start().waitFor());
            awaitErr(b, "beta agrees", "this runner's config agrees again with every live runner's about what both run");
            CliProcess.Result after = CliProcess.run(dir, "runners", "-c", alphaCfg.toString());
            assertFalse(after.out().contains("disagree"), after.out());
            assertFalse(get(b.httpPort(), "/readyz").contains("config differs"), get(b.httpPort(), "/readyz"));
        } finally {
            for (CliProcess p : new CliProcess[] {beta, alpha}) {
                if (p != null) {
                    p.process.destroy();
                    assertTrue(p.process.waitFor(30, TimeUnit.SECONDS));
                }
            }
        }
    }

    private static void awaitErr(CliProcess p, String what, String text) {
        CliProcess.await(what, 60_000, () -> {
            try {
                return p.err().contains(text);
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static String get(int port, String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
