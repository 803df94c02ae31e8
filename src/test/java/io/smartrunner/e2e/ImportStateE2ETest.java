package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single machine growing into a fleet, with real runner processes: a SQLite runner pauses its
 * broken profile, its config is switched to PostgreSQL in the same directory, {@code import-state}
 * copies the state, and the cluster runner then keeps the profile paused (it had run again at once
 * without the import) while the healthy one runs. Refused while a runner is alive, kept the
 * fleet's rows on a second import, and one line for each mistake.
 */
@Tag("e2e")
class ImportStateE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static final String FLEET = """
             "http": {"port": 0}, "browser": {"provider": "none"},
             "recovery": {"maxErrorStreak": 1, "retryBackoffMs": 100},
             "session": {"command": ["/bin/sh", "-c", "test \\"$SR_PROFILE_ID\\" != p1 && sleep 0.1"], "cooldownMs": 50},
            """;

    private Path single(Path home) throws IOException {
        return Files.writeString(home.resolve("single.json"), "{\"runner\": {\"startJitterMs\": 0}," + FLEET + """
                 "pods": [{"name": "pod-a", "profiles": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]}]}
                """);
    }

    private Path cluster(Path home, String url) throws IOException {
        return Files.writeString(home.resolve("cluster.json"), "{\"runner\": {\"startJitterMs\": 0, \"name\": \"alpha\"},"
                + FLEET + """
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "%s"},
                 "pods": [{"name": "pod-a", "profiles": [{"id": "p1"}, {"id": "p2"}]}]}
                """.formatted(url, PostgresServer.PASSWORD));
    }

    /** A single machine's store in {@code dataDir} ({@code state.db}), written as its runner would have. */
    private static Path oldStore(Path dataDir, List<ProfileState> profiles, List<SessionRecord> sessions)
            throws IOException {
        Path db = Files.createDirectories(dataDir).resolve("state.db");
        try (SqliteStateStore store = SqliteStateStore.open(db, SqliteSynchronous.FULL)) {
            store.write(new StateWrite(profiles, sessions));
        }
        return db;
    }

    private static List<JsonNode> events(Path log) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static long count(Path log, String event, String profile) {
        try {
            return events(log).stream().filter(e -> e.get("event").asText().equals(event)
                    && profile.equals(e.path("profileId").asText())).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static JsonNode status(Path cfg, String profile) throws Exception {
        CliProcess.Result status = CliProcess.run(cfg.getParent(), "status", "--json", "-c", cfg.toString());
        assertEquals(0, status.exitCode(), status.err());
        for (JsonNode p : JSON.readTree(status.out())) {
            if (p.get("profileId").asText().equals(profile)) {
                return p;
            }
        }
        throw new AssertionError(profile + " not in " + status.out());
    }

    private static void stop(CliProcess runner) throws InterruptedException, IOException {
        runner.process.destroy();
        assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());
    }

    private static String stderr(CliProcess runner) {
        try {
            return runner.err();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aProfilePausedOnTheSingleMachineStaysPausedInTheFleet() throws Exception {
        Path home = Files.createDirectories(dir.resolve("m"));
        Path log = home.resolve("logs/events.jsonl");
        Path singleCfg = single(home);
        CliProcess one = CliProcess.start(home, "run", "-c", singleCfg.toString());
        try {
            CliProcess.await("p1 paused on the single machine", 60_000, () -> count(log, "pause", "p1") == 1);
        } finally {
            stop(one);
        }
        String pausedUntil = status(singleCfg, "p1").get("pausedUntil").asText();

        String url = PostgresServer.shared().newDatabase("e2e_import_state");
        Path clusterCfg = cluster(home, url);
        CliProcess.Result imported = CliProcess.run(home, "import-state", "-c", clusterCfg.toString());
        assertEquals(0, imported.exitCode(), imported.out() + imported.err());
        String[] lines = imported.out().split("\n");
        assertTrue(lines[0].startsWith("imported 2 profile(s) from " + home.resolve("data/state.db").toAbsolutePath().normalize()
                + " into PostgreSQL at ") && lines[0].contains(": 1 paused (the last until " + pausedUntil + "), "),
                imported.out());
        assertEquals("left out 1 profile(s): p3 (not in " + clusterCfg + ")", lines[lines.length - 1], imported.out());
        JsonNode event = events(log).stream().filter(e -> e.get("event").asText().equals("import")
                && e.get("profileId").asText().equals("p1")).findFirst().orElseThrow();
        assertTrue(event.get("params").get("paused").asBoolean(), event.toString());
        assertEquals(pausedUntil, event.get("params").get("pausedUntil").asText());
        assertEquals("import-state@alpha", event.get("params").get("by").asText());

        long p1Starts = count(log, "start", "p1");
        long p2Finishes = count(log, "finish", "p2");
        CliProcess alpha = CliProcess.start(home, "run", "-c", clusterCfg.toString());
        try {
            CliProcess.await("p2 runs in the fleet", 60_000, () -> count(log, "finish", "p2") >= p2Finishes + 3);
            assertEquals(p1Starts, count(log, "start", "p1"), "p1 stayed paused in the fleet");
            assertFalse(alpha.err().contains("single-machine state"), "imported: nothing left to offer\n" + alpha.err());
            JsonNode p1 = status(clusterCfg, "p1");
            assertTrue(p1.get("flags").get("paused").asBoolean(), p1.toString());
            assertEquals(pausedUntil, p1.get("pausedUntil").asText());
            assertTrue(p1.get("held").asBoolean(), "alpha holds it: " + p1);

            // a live runner writes its profiles' rows from memory: no import under it (from another
            // machine's store here: this data dir's is locked by alpha itself)
            Path other = oldStore(dir.resolve("other/data"), List.of(ProfileState.fresh("p2", "pod-a")), List.of());
            CliProcess.Result refused = CliProcess.run(home, "import-state", "-c", clusterCfg.toString(),
                    "--from", other.toString(), "--replace");
            assertEquals(1, refused.exitCode(), refused.out() + refused.err());
            assertTrue(refused.err().startsWith("smart-runner: runner(s) alpha are running on PostgreSQL at ")
                    && refused.err().endsWith("stop them, import, start them again: nothing was changed\n"), refused.err());
            CliProcess.Result locked = CliProcess.run(home, "import-state", "-c", clusterCfg.toString());
            assertEquals(1, locked.exitCode(), locked.out() + locked.err());
            assertEquals("smart-runner: " + home.resolve("data") + ": a runner is using this data dir; stop it, then"
                    + " import: nothing was changed\n", locked.err());
        } finally {
            stop(alpha);
        }

        // nobody runs the fleet now: status says so rather than name alpha as if it did
        CliProcess.Result table = CliProcess.run(home, "status", "-c", clusterCfg.toString());
        assertEquals(0, table.exitCode(), table.err());
        assertTrue(table.out().contains(" (alpha) ") && table.out().contains("2 profile(s) no live runner holds now,"
                + " shown as last written (RUNNER in parentheses: the last to run it; a runner whose config lists them"
                + " takes them): p1, p2\n") && table.out().endsWith("runners alive in the fleet: none ('smart-runner"
                + " runners' lists them all)\nrunner on this data dir: not running\n"), table.out());
        assertFalse(status(clusterCfg, "p2").get("held").asBoolean());

        // the old store is the fleet's now: a runner on it alone would run the fleet's profiles twice
        CliProcess.Result alone = CliProcess.run(home, "run", "-c", singleCfg.toString());
        assertEquals(1, alone.exitCode(), alone.out() + alone.err());
        assertTrue(alone.err().startsWith("smart-runner: " + home.resolve("data/state.db") + ": import-state copied its"
                + " state into the fleet's store (PostgreSQL at ") && alone.err().endsWith("a runner on this file would"
                + " run them a second time from older state. To run this machine alone again, move the file away: the"
                + " next start rebuilds it from this machine's event log (docs/cluster.md)\n"), alone.err());

        CliProcess.Result rebuild = CliProcess.run(home, "rebuild-state", "-c", singleCfg.toString());
        assertEquals(1, rebuild.exitCode(), rebuild.out() + rebuild.err());
        assertTrue(rebuild.err().contains("; rebuilt, it would run them a second time. To run this machine alone again"
                + " anyway, move the file away"), rebuild.err());
        CliProcess.Result shown = CliProcess.run(home, "status", "-c", singleCfg.toString());
        assertEquals(0, shown.exitCode(), shown.err());
        assertTrue(shown.err().contains(": import-state copied it into the fleet's store (PostgreSQL at ")
                && shown.err().contains("): shown as it was then; its profiles run in the fleet now"), shown.err());
        CliProcess.Result control = CliProcess.run(home, "pause", "p2", "-c", singleCfg.toString());
        assertEquals(1, control.exitCode(), control.out() + control.err());
        assertEquals(alone.err(), control.err(), "the controls refuse it alike");

        // the fleet's rows are newer than the old store's now: a second import keeps them (a data dir named)
        CliProcess.Result again = CliProcess.run(home, "import-state", "-c", clusterCfg.toString(), "--from",
                home.resolve("data").toString());
        assertEquals(0, again.exitCode(), again.out() + again.err());
        assertTrue(again.out().startsWith("imported 0 profile(s) from ") && again.out().contains(
                "kept the fleet's own state of 2 profile(s): p1, p2 (it has rows for them; --replace overwrites them)"),
                again.out());
    }

    @Test
    void aRunnerStartingInTheFleetWithoutTheImportSaysWhatItsDataDirStillHolds() throws Exception {
        Path home = Files.createDirectories(dir.resolve("f"));
        Instant until = Instant.parse("2099-01-01T00:00:00Z");
        Path db = oldStore(home.resolve("data"), List.of(new ProfileState("p1", "pod-a", 1, false, true, true, until,
                null, "exit (exit 1)", null, null, 1, Instant.parse("2026-12-01T00:00:00Z"))), List.of());
        Path clusterCfg = cluster(home, PostgresServer.shared().newDatabase("e2e_import_forgotten"));
        CliProcess alpha = CliProcess.start(home, "run", "-c", clusterCfg.toString());
        try {
            CliProcess.await("alpha says what the fleet does not have", 60_000,
                    () -> stderr(alpha).contains("holds this machine's single-machine state")
                            && stderr(alpha).contains("running 2 profile(s)"));
            String line = alpha.err().lines().filter(l -> l.contains("single-machine state")).findFirst().orElseThrow();
            assertEquals("smart-runner: " + db + " holds this machine's single-machine state, which the fleet's store"
                    + " does not have: 1 paused profile(s) (the last until " + until + "), 1 with an error streak; they"
                    + " start afresh in the fleet. To keep that state: stop this runner, run 'smart-runner import-state"
                    + " -c " + clusterCfg + " --replace' while no runner of the fleet runs (--replace: this runner"
                    + " writes their rows from now on), then start them again (docs/cluster.md)", line);
        } finally {
            stop(alpha);
        }
    }

    @Test
    void aStoreWithSessionsStillRunningIsRefusedUntilItsRunnerEndsThem() throws Exception {
        Path home = Files.createDirectories(dir.resolve("k"));
        Path db = oldStore(home.resolve("data"), List.of(ProfileState.fresh("p1", "pod-a")), List.of(new SessionRecord(
                "s1", "p1", "pod-a", 1, 1, 1, Instant.parse("2026-12-01T00:00:00Z"), SessionRecord.Status.RUNNING, null,
                null, null)));
        String url = PostgresServer.shared().newDatabase("e2e_import_running");
        Path clusterCfg = cluster(home, url);
        CliProcess.Result refused = CliProcess.run(home, "import-state", "-c", clusterCfg.toString());
        assertEquals(1, refused.exitCode(), refused.out() + refused.err());
        assertEquals("smart-runner: " + db.toAbsolutePath().normalize() + ": 1 session(s) are still marked running (its runner was"
                + " killed); start a runner on it once with its SQLite config, so it ends them and stops what they"
                + " left, then import: nothing was changed\n", refused.err());
        assertFalse(Files.exists(home.resolve("logs/events.jsonl")), "no event written");
    }

    @Test
    void anImportTheDatabaseFailsHalfWaySaysSoAndRunningItAgainFinishesIt() throws Exception {
        Path home = Files.createDirectories(dir.resolve("h"));
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        oldStore(home.resolve("data"), List.of(new ProfileState("p1", "pod-a", 2, false, true, false, null, "s2",
                "exit (exit 3)", t, t, 0, null), ProfileState.fresh("p2", "pod-a")), List.of(
                new SessionRecord("s1", "p1", "pod-a", 11, 1, 11, t, SessionRecord.Status.FAILED, t, "exit", 3),
                new SessionRecord("s2", "p1", "pod-a", 12, 1, 12, t.plusSeconds(1), SessionRecord.Status.FAILED,
                        t.plusSeconds(1), "exit", 3)));
        String url = PostgresServer.shared().newDatabase("e2e_import_half");
        String database = url.substring(url.lastIndexOf('/') + 1);
        Path clusterCfg = cluster(home, url);
        CliProcess.Result migrated = CliProcess.run(home, "status", "-c", clusterCfg.toString());
        assertEquals(0, migrated.exitCode(), migrated.err());
        // the server refuses the sessions, as a database lost after the rows' transaction would
        sql(database, "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$BEGIN RAISE EXCEPTION 'disk full'; END$$");
        sql(database, "CREATE TRIGGER refuse BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION refuse()");
        CliProcess.Result half = CliProcess.run(home, "import-state", "-c", clusterCfg.toString());
        assertEquals(1, half.exitCode(), half.out() + half.err());
        assertTrue(half.err().contains("disk full") && half.err().endsWith("; the state of 2 profile(s) was imported,"
                + " their sessions and the ladder's statistics only in part: run import-state again to finish\n"),
                half.err());
        assertEquals(2, status(clusterCfg, "p1").get("errorStreak").asInt(), "the rows are in");
        // the rows are the fleet's already: the old store is refused from then on (reviewer R2)
        CliProcess.Result alone = CliProcess.run(home, "run", "-c", single(home).toString());
        assertEquals(1, alone.exitCode(), alone.out() + alone.err());
        assertTrue(alone.err().contains(": import-state copied its state into the fleet's store"), alone.err());

        // run again as it says, without --replace: the rows stay the fleet's, the sessions are copied
        sql(database, "DROP TRIGGER refuse ON sessions");
        CliProcess.Result finished = CliProcess.run(home, "import-state", "-c", clusterCfg.toString());
        assertEquals(0, finished.exitCode(), finished.out() + finished.err());
        assertTrue(finished.out().startsWith("imported 0 profile(s) from ") && finished.out().contains("; 2 session(s)")
                && finished.out().endsWith("finished the import that stopped half-way: the sessions and statistics of"
                + " 2 profile(s) it had imported\n"), finished.out());
        CliProcess.Result third = CliProcess.run(home, "import-state", "-c", clusterCfg.toString());
        assertTrue(third.out().contains("; 0 session(s)") && !third.out().contains("half-way"), third.out());

        // into another fleet: done, and said (the mark names the new one)
        Path otherFleet = cluster(home, PostgresServer.shared().newDatabase("e2e_import_second"));
        CliProcess.Result second = CliProcess.run(home, "import-state", "-c", otherFleet.toString());
        assertEquals(0, second.exitCode(), second.out() + second.err());
        assertTrue(second.out().startsWith("imported 2 profile(s) from ") && second.out().contains(" had been imported"
                + " into PostgreSQL at 127.0.0.1:" + PostgresServer.shared().port() + ", database " + database + " on ")
                && second.out().endsWith(" already; it is marked as this fleet's now\n"), second.out());
        try (java.sql.Connection c = PostgresServer.shared().connect(database);
             java.sql.ResultSet rs = c.createStatement().executeQuery(
                     "SELECT string_agg(session_id, ',' ORDER BY session_id) FROM sessions")) {
            rs.next();
            assertEquals("s1,s2", rs.getString(1));
        }
    }

    private static void sql(String database, String statement) {
        PostgresServer.shared().execute(database, statement);
    }

    @Test
    void mistakesAreOneLineEach() throws Exception {
        Path home = Files.createDirectories(dir.resolve("b"));
        Path singleCfg = single(home);
        CliProcess.Result sqlite = CliProcess.run(home, "import-state", "-c", singleCfg.toString());
        assertEquals(2, sqlite.exitCode(), sqlite.out() + sqlite.err());
        assertEquals("smart-runner: " + singleCfg + ": store.kind is \"sqlite\"; import-state copies a single machine's"
                + " state into the PostgreSQL store of a cluster config (store.kind \"postgres\"): nothing was"
                + " changed\n", sqlite.err());

        Path clusterCfg = cluster(home, PostgresServer.shared().newDatabase("e2e_import_missing"));
        Path missing = home.resolve("nowhere/state.db");
        CliProcess.Result none = CliProcess.run(home, "import-state", "-c", clusterCfg.toString(), "--from",
                missing.toString());
        assertEquals(2, none.exitCode(), none.out() + none.err());
        assertEquals("smart-runner: " + missing + ": no state store there; --from names a single machine's state.db"
                + " (in its runner.dataDir): nothing was changed\n", none.err());
    }
}
