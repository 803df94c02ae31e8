package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.Events;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
 * {@code events --follow} in cluster mode through a restart of its PostgreSQL (reviewer R12 F6: it
 * exited 1 on the first read the restarting database refused): it says the outage once, tries
 * again with backoff, says once that the database is back, and goes on after the last event it
 * printed; a start while the database is away stays one line and exit 1; SIGTERM still ends it.
 */
@Tag("e2e")
class EventsFollowDatabaseRestartE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final Map<String, String> ENV = Map.of(PASSWORD_VAR, PostgresServer.PASSWORD);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-01-08T10:30:00Z");
    /** As long as the reviewer's restart. */
    private static final long OUTAGE_MS = 5_000;
    private static PostgresServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void ownServer() {
        server = PostgresServer.start(true); // stopped here: never the shared one
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    /** A runner's events reaching the table, as its fleet sink writes them. */
    private static void written(String url, String... sessionIds) {
        try (PostgresStateStore store = PostgresStateStore.open(StoreSettings.postgres(url, PostgresServer.USER,
                PostgresServer.PASSWORD, 1), "writer-host:/srv/w")) {
            List<PostgresEvents.Written> batch = new ArrayList<>();
            for (String id : sessionIds) {
                batch.add(new PostgresEvents.Written(Events.sessionStarted(T, "pod", "p1", id, "/bin/w"), null));
            }
            assertEquals(List.of(), store.events().insert("alpha", 1, batch));
        }
    }

    private static List<String> sessionIds(CliProcess follower) {
        try {
            List<String> ids = new ArrayList<>();
            for (String line : follower.out().lines().toList()) {
                ids.add(JSON.readTree(line).path("sessionId").asText());
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String err(CliProcess cli) {
        try {
            return cli.err();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aFollowRidesOutARestartOfTheDatabaseAndGoesOnAfterTheLastEventPrinted() throws Exception {
        String url = server.newDatabase("follow_restart");
        written(url, "s1");
        Path cfg = Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"name": "viewer"}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"}}
                """.formatted(url, PASSWORD_VAR));
        String where = "PostgreSQL at 127.0.0.1:" + server.port();
        CliProcess follower = CliProcess.start(dir, ENV, "events", "--follow", "-n", "5", "-c", cfg.toString());
        try {
            CliProcess.await("the tail printed", 30_000, () -> sessionIds(follower).contains("s1"));
            written(url, "s2");
            CliProcess.await("a new event printed", 30_000, () -> sessionIds(follower).contains("s2"));

            server.stopKeepingData();
            try {
                CliProcess.await("the outage said", 30_000, () -> !follower.process.isAlive()
                        || err(follower).contains("tries again"));
                CliProcess.Result start = CliProcess.run(dir, ENV, "events", "--follow", "-c", cfg.toString());
                assertEquals(1, start.exitCode(), "a start with the database away: " + start.out() + start.err());
                assertEquals("smart-runner: " + where + ": cannot connect (connection refused)\n", start.err());
                Thread.sleep(OUTAGE_MS);
                assertTrue(follower.process.isAlive(), "the follow ended during the outage: " + err(follower));
            } finally {
                server.startAgain();
            }
            written(url, "s3", "s4");
            CliProcess.await("the events written after the restart printed", 60_000,
                    () -> !follower.process.isAlive() || sessionIds(follower).contains("s4"));

            assertEquals(List.of("s1", "s2", "s3", "s4"), sessionIds(follower), "none lost, none twice: " + err(follower));
            List<String> said = err(follower).lines().filter(l -> !l.isBlank()).toList();
            assertEquals(2, said.size(), "the outage once, its end once: " + said);
            assertTrue(said.get(0).startsWith("smart-runner: " + where + ": ") && said.get(0).endsWith("; events --follow"
                    + " tries again (after 1 s, doubling to 10 s) and goes on after the last event it printed"), said.get(0));
            assertEquals("smart-runner: " + where + " answers again: events --follow goes on after the last event it"
                    + " printed", said.get(1));

            follower.process.destroy(); // SIGTERM (Ctrl-C alike): it ends as it did
            assertTrue(follower.process.waitFor(10, TimeUnit.SECONDS), "ends on SIGTERM");
            assertEquals(143, follower.process.exitValue(), err(follower));
        } finally {
            follower.process.destroyForcibly();
        }
    }
}
