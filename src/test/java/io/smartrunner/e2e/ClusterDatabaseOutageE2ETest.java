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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner on its own PostgreSQL rides out a database outage longer than its renew deadline,
 * with the default watchdog (6 s) and lease timings: the engine loop writes on its own thread, so
 * each write must give up well within the watchdog's timeout (ClusterSettings.storeWaitMs), or the
 * watchdog takes the blocked loop for a frozen runner and kills it and its sessions (it did: 6 s
 * into a stopped server, the first write waited 10 s for a connection). Here the runner stays up,
 * fences itself at the renew deadline (its sessions stopped, each with its event), and runs again
 * once the database is back: for a server stopped (connections closed, new ones refused) and for
 * one that stops answering (SIGSTOP: open connections hang, as on a cut network).
 */
@Tag("e2e")
class ClusterDatabaseOutageE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than the renew deadline (10 s), shorter than the lease TTL plus a restart would matter. */
    private static final long OUTAGE_MS = 14_000;
    private static PostgresServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void ownServer() {
        server = PostgresServer.start(true); // stopped and frozen here: never the shared one
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    private Path config(String url) throws IOException {
        Files.createDirectories(dir.resolve("alpha"));
        return Files.writeString(dir.resolve("alpha/fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "alpha", "globalConcurrency": 3},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "session": {"command": ["/bin/sleep", "60"], "cooldownMs": 200, "stopGraceMs": 500},
                 "recovery": {"steps": [], "verify": "none"},
                 "pods": [{"name": "pod", "concurrency": 3,
                           "profiles": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]}]}
                """.formatted(url, PASSWORD_VAR));
    }

    private List<JsonNode> events() throws IOException {
        Path log = dir.resolve("alpha/logs/events.jsonl");
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private long count(String event) throws IOException {
        return events().stream().filter(e -> event.equals(e.path("event").asText())).count();
    }

    private static long runningRows(String database) {
        try (java.sql.Connection c = server.connect(database); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM sessions WHERE status = 'RUNNING'")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1; // not migrated yet
        }
    }

    private void ridesOut(String database, Runnable outage, Runnable back) throws Exception {
        CliProcess alpha = CliProcess.start(dir.resolve("alpha"), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                "run", "-c", config(server.url(database)).toString());
        try {
            CliProcess.await("three sessions running", 60_000, () -> {
                try {
                    return !alpha.process.isAlive() || count("start") >= 3;
                } catch (IOException e) {
                    return false;
                }
            });
            assertTrue(alpha.process.isAlive(), alpha.err());
            // their rows committed: a session is launched only after its state is written, and an
            // outage that began between the two would leave none running for the fence to stop
            CliProcess.await("three sessions in the database", 60_000, () -> runningRows(database) == 3);
            outage.run();
            try {
                awaitSaid("the runner fenced itself", alpha, "self-fencing: the last successful heartbeat");
                // the outage goes on past the fence: the loop keeps turning through it
                Thread.sleep(Math.max(0, OUTAGE_MS - 10_000));
                assertTrue(alpha.process.isAlive(), "the runner was killed during the outage: " + alpha.err());
                assertFalse(alpha.err().contains("no sign of life"), alpha.err());
                assertEquals(3, events().stream().filter(e -> e.hasNonNull("sessionId")
                        && e.path("params").toString().contains("self-fencing")).count(),
                        "each running session stopped by the fence, with its event: " + alpha.err());
            } finally {
                back.run();
            }
            long startsBefore = count("start");
            CliProcess.await("sessions run again", 90_000, () -> {
                try {
                    return !alpha.process.isAlive() || count("start") > startsBefore;
                } catch (IOException e) {
                    return false;
                }
            });
            assertTrue(alpha.process.isAlive(), alpha.err());
            assertTrue(alpha.err().contains("heartbeat landed again"), alpha.err());
            alpha.process.destroy();
            assertTrue(alpha.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, alpha.process.exitValue(), alpha.err());
        } finally {
            alpha.process.destroyForcibly();
        }
    }

    @Test
    void aStoppedDatabase() throws Exception {
        String database = server.newDatabase("outage_stopped").replaceAll(".*/", "");
        ridesOut(database, server::stopKeepingData, server::startAgain);
    }

    @Test
    void aDatabaseThatStopsAnswering() throws Exception {
        String database = server.newDatabase("outage_frozen").replaceAll(".*/", "");
        ridesOut(database, server::freeze, server::thaw);
    }

    /**
     * A runner stopped while its database is away keeps the stop's events in its own log alone (and
     * says how many); its next start sends them to the fleet's table (it never did before).
     */
    @Test
    void aStopWhileTheDatabaseIsAwaySendsItsEventsAtTheNextStart() throws Exception {
        String database = server.newDatabase("outage_stop").replaceAll(".*/", "");
        Path config = config(server.url(database));
        CliProcess alpha = CliProcess.start(dir.resolve("alpha"), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                "run", "-c", config.toString());
        try {
            CliProcess.await("three sessions in the database", 60_000, () -> runningRows(database) == 3);
            server.stopKeepingData();
            alpha.process.destroy(); // SIGTERM: the stop's events cannot reach the table
            assertTrue(alpha.process.waitFor(120, TimeUnit.SECONDS), alpha.err());
        } finally {
            alpha.process.destroyForcibly();
            server.startAgain();
        }
        assertTrue(alpha.err().contains("not sent to PostgreSQL at stop; they are in the local log, and the next start"
                + " of this data dir sends them"), alpha.err());
        long ends = count("error") + count("finish");
        assertTrue(ends >= 3, "each session's end in the local log: " + alpha.err());
        assertEquals(0, tableEnds(database), "the table has no end yet");

        CliProcess again = CliProcess.start(dir.resolve("alpha"), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                "run", "-c", config.toString());
        try {
            CliProcess.await("the ends in the table", 60_000, () -> !again.process.isAlive() || tableEnds(database) >= 3);
            assertTrue(again.err().contains("to the fleet's events that an earlier run of this runner wrote only to its"
                    + " own log (PostgreSQL was away when they were written)"), again.err());
            awaitSaid("the runner started", again, "running 3 profile(s)");
            again.process.destroy();
            assertTrue(again.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, again.process.exitValue(), again.err());
        } finally {
            again.process.destroyForcibly();
        }
    }

    /** Until the runner's standard error has {@code text}, or it exited. */
    private static void awaitSaid(String what, CliProcess runner, String text) {
        CliProcess.await(what, 60_000, () -> {
            try {
                return !runner.process.isAlive() || runner.err().contains(text);
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Sessions' ends in the fleet's events table. */
    private static long tableEnds(String database) {
        try (java.sql.Connection c = server.connect(database); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM events WHERE event IN ('finish', 'error')")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }
}
