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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode's controls from the command line, with real runner processes on one PostgreSQL.
 * Offline (no runner on the command's own data dir): a profile a live runner elsewhere holds gets
 * the control through that runner, which applies and records it (frozen, later: the command says
 * the control is queued); a profile nobody holds is written to the database, its event to the
 * fleet's too. A control queued for a frozen holder that then dies is in effect before the
 * taker's first session.
 * Written straight to the row while alpha held it, the pause was alpha's to overwrite: alpha went
 * on running the profile, and its next write of the row took the pause back.
 */
@Tag("e2e")
class OfflineControlInFleetE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path config(String sub, String url, String name) throws IOException {
        return config(sub, url, name, "");
    }

    /** @param more JSON members ending in a comma, put first */
    private Path config(String sub, String url, String name, String more) throws IOException {
        Path home = Files.createDirectories(dir.resolve(sub));
        return Files.writeString(home.resolve("fleet.json"), """
                {%s"runner": {"startJitterMs": 0, "name": "%s"},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "%s"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.2"], "cooldownMs": 50},
                 "pods": [{"name": "pod-a", "profiles": [{"id": "p1"}]}]}
                """.formatted(more, name, url, PostgresServer.PASSWORD));
    }

    private static List<JsonNode> events(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().map(OfflineControlInFleetE2ETest::json).toList() : List.of();
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError(line, e);
        }
    }

    private static boolean has(Path log, String event) {
        try {
            return events(log).stream().anyMatch(e -> e.get("event").asText().equals(event));
        } catch (IOException e) {
            return false;
        }
    }

    private static void signal(String name, CliProcess p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(p.process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    @Test
    void aProfileHeldElsewhereIsControlledThroughItsHolderAndAFreeOneIsWritten() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_offline_fleet");
        // alpha is frozen while a CLI starts (a JVM: over 6 s on a loaded CI machine, seen in session 41):
        // a watchdog longer than that, or it kills alpha (its fencing, as it should) and nobody applies the unpause
        String cluster = "\"cluster\": {\"leaseTtlMs\": 60000, \"renewEveryMs\": 2000, \"renewDeadlineMs\": 50000,"
                + " \"watchdogMs\": 40000},";
        Path alphaCfg = config("a", url, "alpha", cluster);
        Path betaCfg = config("b", url, "beta", cluster); // no runner ever runs on beta's data dir
        Path alphaLog = dir.resolve("a/logs/events.jsonl");
        Path betaLog = dir.resolve("b/logs/events.jsonl");
        CliProcess alpha = CliProcess.start(alphaCfg.getParent(), "run", "-c", alphaCfg.toString());
        try {
            CliProcess.await("alpha runs p1", 60_000, () -> has(alphaLog, "finish"));

            CliProcess.Result pause = CliProcess.run(betaCfg.getParent(), "pause", "p1", "--for", "1h", "--reason", "maintenance",
                    "-c", betaCfg.toString());
            assertEquals(0, pause.exitCode(), pause.err());
            assertTrue(pause.out().startsWith("p1: paused until ") && pause.out().contains("(applied by runner alpha, which holds it)"),
                    pause.out());
            // alpha applied it: the pause is in alpha's own log, asked by beta's CLI; nothing in beta's
            JsonNode paused = events(alphaLog).stream().filter(e -> e.get("event").asText().equals("pause")).findFirst().orElseThrow();
            assertEquals("cli@beta", paused.get("params").get("by").asText(), paused.toString());
            assertEquals("maintenance", paused.get("params").get("reason").asText());
            assertFalse(Files.exists(betaLog), "beta wrote nothing itself, nor opened its log");
            // and it holds: alpha's own state says paused
            CliProcess.Result status = CliProcess.run(alphaCfg.getParent(), "status", "--json", "-c", alphaCfg.toString());
            assertEquals(0, status.exitCode(), status.err());
            assertTrue(JSON.readTree(status.out()).get(0).get("flags").get("paused").asBoolean(), status.out());

            // run-now of a paused profile: alpha refuses it, the command says why (exit 1)
            CliProcess.Result runNow = CliProcess.run(betaCfg.getParent(), "run-now", "p1", "-c", betaCfg.toString());
            assertEquals(1, runNow.exitCode(), runNow.out() + runNow.err());
            assertTrue(runNow.err().contains("paused") && runNow.err().contains("(on runner alpha)"), runNow.err());

            // alpha frozen: its lease is still live, nobody applies the unpause; the command says it is
            // queued (exit 1: not in effect yet), and alpha applies it once it runs again
            signal("STOP", alpha);
            CliProcess.Result unpause;
            try {
                unpause = CliProcess.run(betaCfg.getParent(), "unpause", "p1", "-c", betaCfg.toString());
            } finally {
                signal("CONT", alpha);
            }
            assertEquals(1, unpause.exitCode(), unpause.out() + unpause.err());
            assertTrue(unpause.err().contains("runner alpha holds p1 but has not applied the control yet; it stays queued (control "),
                    unpause.err());
            CliProcess.await("alpha applies the queued unpause", 30_000, () -> has(alphaLog, "unpause"));
            JsonNode unpaused = events(alphaLog).stream().filter(e -> e.get("event").asText().equals("unpause")).findFirst().orElseThrow();
            assertEquals("cli@beta", unpaused.get("params").get("by").asText(), unpaused.toString());
            // in the log's order (a start in the pause's own millisecond, before it, is stopped by it)
            List<String> kinds = events(alphaLog).stream().map(e -> e.get("event").asText()).toList();
            assertEquals(-1, kinds.subList(kinds.indexOf("pause"), kinds.indexOf("unpause")).indexOf("start"),
                    "no session of p1 while paused");

            alpha.process.destroy(); // a graceful stop gives the lease back
            assertTrue(alpha.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, alpha.process.exitValue(), alpha.err());

            // nobody holds p1 now: the pause is written to the database, its event in beta's log
            CliProcess.Result offline = CliProcess.run(betaCfg.getParent(), "pause", "p1", "--reason", "nobody runs it",
                    "-c", betaCfg.toString());
            assertEquals(0, offline.exitCode(), offline.err());
            assertTrue(offline.out().contains("paused until") && offline.out().contains("(no runner holds it: written to the database)"),
                    offline.out());
            JsonNode written = events(betaLog).stream().filter(e -> e.get("event").asText().equals("pause")).findFirst().orElseThrow();
            assertEquals("cli@beta", written.get("params").get("by").asText(), "who asked, from which runner's configuration");
            CliProcess.Result after = CliProcess.run(alphaCfg.getParent(), "status", "--json", "-c", alphaCfg.toString());
            assertTrue(JSON.readTree(after.out()).get(0).get("flags").get("paused").asBoolean(), after.out());
            // and the fleet's events (the database's table, what every runner's feed and `events` read) have it too
            CliProcess.Result fleetEvents = CliProcess.run(alphaCfg.getParent(), "events", "--profile", "p1", "-n", "3",
                    "-c", alphaCfg.toString());
            assertEquals(0, fleetEvents.exitCode(), fleetEvents.err());
            assertTrue(fleetEvents.out().lines().anyMatch(l -> l.contains("\"event\":\"pause\"") && l.contains("nobody runs it")),
                    fleetEvents.out());
        } finally {
            alpha.process.destroyForcibly();
        }
    }

    /**
     * The holder is frozen, the pause is queued, the holder dies: the runner that takes p1 over
     * applies the pause before p1's first session there (it read the queued controls first; before,
     * it started a session at the takeover and the pause stopped it up to a second later).
     */
    @Test
    void aControlQueuedForAFrozenHolderIsInEffectBeforeTheTakersFirstSession() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_queued_takeover");
        // a TTL long enough for the command to find alpha's lease still live and queue the pause
        String cluster = "\"cluster\": {\"leaseTtlMs\": 15000, \"renewEveryMs\": 500, \"renewDeadlineMs\": 10000},";
        Path alphaCfg = config("a", url, "alpha", cluster);
        Path betaCfg = config("b", url, "beta", cluster);
        Path alphaLog = dir.resolve("a/logs/events.jsonl");
        Path betaLog = dir.resolve("b/logs/events.jsonl");
        CliProcess alpha = CliProcess.start(alphaCfg.getParent(), "run", "-c", alphaCfg.toString());
        CliProcess beta = null;
        try {
            CliProcess.await("alpha runs p1", 60_000, () -> has(alphaLog, "finish"));
            beta = CliProcess.start(betaCfg.getParent(), "run", "-c", betaCfg.toString());
            assertTrue(beta.httpPort() > 0, "beta serves");
            assertFalse(has(betaLog, "start"), "alpha holds p1: beta runs nothing");

            signal("STOP", alpha);
            CliProcess.Result pause = CliProcess.run(betaCfg.getParent(), "pause", "--pod", "pod-a", "--reason",
                    "account flagged", "-c", betaCfg.toString());
            // beta runs on the command's data dir: it goes through beta's API, which relays it to alpha (frozen);
            // queued, so not in effect yet: exit 1, as offline (it said "not paused" and exit 0 before)
            assertEquals(1, pause.exitCode(), pause.out() + pause.err());
            assertTrue(pause.err().matches("(?s).*p1: told the running runner at 127\\.0\\.0\\.1:\\d+, which relayed it"
                    + " to the runner holding p1; not applied yet, it stays queued.*"), pause.err());
            assertEquals("", pause.out());
            // counted as queued, not refused: it will be in effect once a holder runs (reviewer R5)
            assertTrue(pause.err().strip().endsWith("done for 0 of 1 profile(s) of pod pod-a; 1 queued for the runner"
                    + " that holds each, applied when it (or the next holder) runs (said above)"), pause.err());
            alpha.process.destroyForcibly(); // SIGKILL, stopped as it is: the queued pause was never applied
            assertTrue(alpha.process.waitFor(30, TimeUnit.SECONDS));

            CliProcess.await("beta takes p1 over and applies the queued pause", 90_000, () -> has(betaLog, "pause"));
            List<JsonNode> betas = events(betaLog);
            List<String> kinds = betas.stream().map(e -> e.get("event").asText()).toList();
            assertEquals(-1, kinds.subList(0, kinds.indexOf("pause")).indexOf("start"),
                    "no session of p1 on beta before the queued pause: " + kinds);
            JsonNode paused = betas.get(kinds.indexOf("pause"));
            assertEquals("cli@beta", paused.get("params").get("by").asText(), paused.toString());
            assertEquals("account flagged", paused.get("params").get("reason").asText());
        } finally {
            alpha.process.destroyForcibly();
            if (beta != null) {
                beta.process.destroyForcibly();
            }
        }
    }

    @Test
    void aWholePodNobodyHoldsIsWrittenToTheDatabaseProfileByProfile() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_offline_fleet_pod");
        Path cfg = config("bulk", url, "bulk", "").resolveSibling("fleet.json");
        Files.writeString(cfg, Files.readString(cfg).replace("[{\"id\": \"p1\"}]", "[{\"id\": \"p1\"}, {\"id\": \"p2\"}]"));

        CliProcess.Result pod = CliProcess.run(cfg.getParent(), "pause", "--pod", "pod-a", "--for", "1h", "-c", cfg.toString());

        assertEquals(0, pod.exitCode(), pod.err());
        assertEquals(2, pod.out().lines().filter(l -> l.contains("no runner holds it: written to the database")).count(),
                pod.out());
        assertEquals("smart-runner: done for 2 of 2 profile(s) of pod pod-a", pod.err().strip());
        CliProcess.Result again = CliProcess.run(cfg.getParent(), "pause", "p1", "p2", "--for", "30m", "-c", cfg.toString());
        assertEquals(1, again.exitCode(), again.out());
        assertTrue(again.err().contains("p1 is already paused") && again.err().contains("p2 is already paused")
                && again.err().strip().endsWith("done for 0 of 2 profile(s); 2 refused (said above)"), again.err());
        // a longer pause makes the pause longer (reviewer R14: a pod's maintenance pause left shorter ones as they were)
        CliProcess.Result longer = CliProcess.run(cfg.getParent(), "pause", "p1", "--for", "2h", "-c", cfg.toString());
        assertEquals(0, longer.exitCode(), longer.err());
        assertTrue(longer.out().contains("no runner holds it: written to the database"), longer.out());
    }

    /**
     * A failure half-way through a pod (here a trigger refusing one profile's row; reviewer R3 froze the
     * command until the server ended its transaction) leaves the batches done before it said, each
     * profile on its line, and says how many: before, the command printed only the failure, with 600
     * of 3 000 done. A batch is one transaction: the one that fails writes none of its profiles.
     */
    /** OfflineControl.FLEET_BATCH: profiles per transaction of the offline controls in a fleet. */
    private static final int FLEET_BATCH = 500;

    @Test
    void aPodThatFailsHalfWaySaysWhatWasDoneBeforeIt() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_offline_fleet_halfway");
        Path cfg = config("half", url, "half", "").resolveSibling("fleet.json");
        int count = FLEET_BATCH + 100;
        List<String> ids = java.util.stream.IntStream.rangeClosed(1, count).mapToObj(i -> String.format("p%04d", i))
                .toList();
        String refused = ids.get(FLEET_BATCH + 50); // in the second batch
        Files.writeString(cfg, Files.readString(cfg).replace("[{\"id\": \"p1\"}]",
                ids.stream().map(id -> "{\"id\": \"" + id + "\"}")
                        .collect(java.util.stream.Collectors.joining(", ", "[", "]"))));
        CliProcess.Result first = CliProcess.run(cfg.getParent(), "reset", "p0001", "-c", cfg.toString()); // the schema
        assertEquals(0, first.exitCode(), first.err());
        PostgresServer.shared().execute(url.substring(url.lastIndexOf('/') + 1), """
                CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.profile_id = '%s' THEN RAISE EXCEPTION '%s refused by the test'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_one BEFORE INSERT OR UPDATE ON profiles FOR EACH ROW EXECUTE FUNCTION refuse_one();"""
                .formatted(refused, refused));

        CliProcess.Result pod = CliProcess.run(cfg.getParent(), "pause", "--pod", "pod-a", "--for", "1h", "-c", cfg.toString());

        assertEquals(1, pod.exitCode(), pod.err());
        assertEquals(ids.subList(0, FLEET_BATCH),
                pod.out().lines().map(l -> l.substring(0, l.indexOf(':'))).toList());
        assertTrue(pod.err().contains("smart-runner: done for " + FLEET_BATCH + " of " + count
                + " profile(s) before this failure (their lines above); run the command again for the others"), pod.err());
        assertTrue(pod.err().contains(refused + " refused by the test"), pod.err());
        assertEquals(FLEET_BATCH, pausedInFleet(url), "the failed batch wrote none of its profiles");
    }

    private static int pausedInFleet(String url) throws Exception {
        try (java.sql.Connection c = PostgresServer.shared().connect(url.substring(url.lastIndexOf('/') + 1));
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM profiles WHERE paused")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
