package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code forget} with real runners on one PostgreSQL: refused while a live runner holds or lists the
 * profile, or the command's own file lists it, or the store never had it; once its runner is dead
 * and no live runner lists it, the profile's row goes, the session its runner left open is closed
 * with one {@code lost} event, a {@code forget} event is written, and the fleet's API no longer
 * lists it. Before, a profile removed from every config kept its row (and its stale pause) for good.
 */
@Tag("e2e")
class ForgetProfilesE2ETest {
    /** TTL 10 s, so beta is dead to the fleet 10 s after its kill (the watchdog 6 s fits under it). */
    private static final String CLUSTER = "\"cluster\": {\"leaseTtlMs\": 10000, \"renewEveryMs\": 2000,"
            + " \"renewDeadlineMs\": 8000, \"watchdogMs\": 6000},";

    @TempDir
    Path dir;

    private Path config(String name, String url, String command, String... ids) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        List<String> profiles = new ArrayList<>();
        for (String id : ids) {
            profiles.add("{\"id\": \"" + id + "\"}");
        }
        return Files.writeString(home.resolve("fleet.json"), """
                {%s "runner": {"startJitterMs": 0, "name": "%s"},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "%s"},
                 "session": {"command": ["/bin/sh", "-c", "%s"], "cooldownMs": 50},
                 "pods": [{"name": "pod-%s", "profiles": [%s]}]}
                """.formatted(CLUSTER, name, url, PostgresServer.PASSWORD, command, name, String.join(", ", profiles)));
    }

    private static int count(String url, String sql) throws SQLException {
        try (Connection c = PostgresServer.shared().connect(url.substring(url.lastIndexOf('/') + 1));
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String text(String url, String sql) throws SQLException {
        try (Connection c = PostgresServer.shared().connect(url.substring(url.lastIndexOf('/') + 1));
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            String value = rs.getString(1);
            assertFalse(rs.next(), "one row: " + sql);
            return value;
        }
    }

    private static boolean logHas(Path log, String needle) {
        try {
            return Files.exists(log) && Files.readString(log).contains(needle);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aProfileNoLiveRunnerHoldsOrListsIsForgottenWithItsOpenSessionClosedOnce() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_forget");
        Path alphaCfg = config("alpha", url, "sleep 0.2", "p1", "p2");
        Path betaCfg = config("beta", url, "sleep 600", "p3");
        CliProcess alpha = CliProcess.start(alphaCfg.getParent(), "run", "-c", alphaCfg.toString());
        CliProcess beta = CliProcess.start(betaCfg.getParent(), "run", "-c", betaCfg.toString());
        try {
            Path alphaLog = dir.resolve("alpha/logs/events.jsonl");
            CliProcess.await("alpha runs", 60_000, () -> logHas(alphaLog, "\"finish\""));
            CliProcess.await("beta runs p3", 60_000, () -> logHas(dir.resolve("beta/logs/events.jsonl"), "\"start\""));

            CliProcess.Result held = CliProcess.run(alphaCfg.getParent(), "forget", "p3", "-c", alphaCfg.toString());
            assertEquals(1, held.exitCode(), held.out() + held.err());
            assertTrue(held.err().contains("smart-runner: p3: runner beta holds it now"), held.err());
            assertTrue(held.err().contains("nothing was forgotten (all or none): 1 of 1 profile(s) refused"), held.err());

            CliProcess.Result listed = CliProcess.run(betaCfg.getParent(), "forget", "p1", "-c", betaCfg.toString());
            assertEquals(1, listed.exitCode(), listed.out() + listed.err());
            assertTrue(listed.err().contains("p1: runner alpha lists it in its config (remove it there and reload first)")
                    || listed.err().contains("p1: runner alpha holds it now"), listed.err());

            CliProcess.Result own = CliProcess.run(alphaCfg.getParent(), "forget", "p1", "-c", alphaCfg.toString());
            assertEquals(2, own.exitCode(), own.err());
            assertTrue(own.err().contains("p1 is in " + alphaCfg + " (pod pod-alpha)"), own.err());

            CliProcess.Result unknown = CliProcess.run(alphaCfg.getParent(), "forget", "nope", "-c", alphaCfg.toString());
            assertEquals(2, unknown.exitCode(), unknown.err());
            assertTrue(unknown.err().contains("nope: no such profile in the fleet's store"), unknown.err());
            assertEquals(1, count(url, "SELECT count(*) FROM profiles WHERE profile_id = 'p3'"), "nothing was forgotten");

            beta.process.destroyForcibly(); // SIGKILL: its session of p3 stays RUNNING in the fleet's rows
            assertTrue(beta.process.waitFor(30, TimeUnit.SECONDS));
            String open = text(url, "SELECT session_id FROM sessions WHERE profile_id = 'p3' AND status = 'RUNNING'");
            CliProcess.await("beta is dead to the fleet", 60_000, () -> {
                try {
                    return count(url, "SELECT count(*) FROM runners WHERE member_name = 'beta'"
                            + " AND heartbeat_at < now() - interval '10 seconds'") == 1;
                } catch (SQLException e) {
                    return false;
                }
            });

            CliProcess.Result forgot = CliProcess.run(alphaCfg.getParent(), "forget", "p3", "-c", alphaCfg.toString());

            assertEquals(0, forgot.exitCode(), forgot.err());
            assertEquals("p3: forgotten (no longer in the fleet's profiles; its events stay;"
                    + " 1 session(s) left open closed as lost)", forgot.out().strip());
            assertEquals(0, count(url, "SELECT count(*) FROM profiles WHERE profile_id = 'p3'"));
            assertEquals(0, count(url, "SELECT count(*) FROM sessions WHERE profile_id = 'p3'"), "its kept sessions go too");
            assertEquals(1, count(url, "SELECT count(*) FROM events WHERE session_id = '" + open + "'"
                    + " AND event = 'error' AND params->>'reason' = 'lost'"), "one end for the open session");
            assertEquals(0, count(url, "SELECT count(*) FROM events WHERE session_id = '" + open + "'"
                    + " AND event = 'finish'"));
            assertEquals(1, count(url, "SELECT count(*) FROM events WHERE profile_id = 'p3' AND event = 'forget'"
                    + " AND params->>'by' = 'cli@alpha'"));
            assertEquals(0, count(url, "SELECT count(*) FROM leases WHERE profile_id = 'p3' AND holder IS NOT NULL"));
            assertFalse(logHas(alphaLog, "\"forget\""), "alpha's log is alpha's own: the command ran beside it");

            HttpResponse<String> profiles = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + alpha.httpPort() + "/api/profiles")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, profiles.statusCode());
            assertTrue(profiles.body().contains("\"p1\"") && !profiles.body().contains("\"p3\""), profiles.body());

            CliProcess.Result again = CliProcess.run(alphaCfg.getParent(), "forget", "p3", "-c", alphaCfg.toString());
            assertEquals(2, again.exitCode(), again.out() + again.err());
            assertTrue(again.err().contains("p3: no such profile in the fleet's store"), again.err());
            assertEquals(1, count(url, "SELECT count(*) FROM events WHERE profile_id = 'p3' AND event = 'forget'"));

            alpha.process.destroy();
            assertTrue(alpha.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, alpha.process.exitValue(), alpha.err());
        } finally {
            alpha.process.destroyForcibly();
            beta.process.destroyForcibly();
        }
    }
}
