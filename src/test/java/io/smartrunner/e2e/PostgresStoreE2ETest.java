package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import io.smartrunner.testkit.SilentTcpServer;
import java.io.IOException;
import java.net.ServerSocket;
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

/** The real CLI with {@code "store": {"kind": "postgres"}}: against a real server, and against none. */
@Tag("e2e")
class PostgresStoreE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";

    @TempDir
    Path dir;

    private Path config(String url) throws IOException {
        return Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}",
                           "poolSize": 2},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 50},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}, {"id": "p2"}]}]}
                """.formatted(url, PASSWORD_VAR));
    }

    @Test
    void aRunnerKeepsItsStateInPostgres() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String url = server.newDatabase("e2e_run");
        String database = url.substring(url.lastIndexOf('/') + 1);
        Path cfg = config(url);
        CliProcess runner = CliProcess.start(dir, Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                "run", "-c", cfg.toString());
        try {
            CliProcess.await("finished sessions of both profiles in PostgreSQL", 60_000,
                    () -> finished(server, database, "p1") >= 2 && finished(server, database, "p2") >= 2);
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
        String err = runner.err();
        assertEquals(0, runner.process.exitValue(), err);
        assertTrue(err.contains("state: PostgreSQL at 127.0.0.1:" + server.port() + " as runner "), err);
        assertFalse(err.contains(PostgresServer.PASSWORD), err);
        assertFalse(Files.exists(dir.resolve("data/state.db")), "no SQLite state beside it");
        try (Connection c = server.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM profiles WHERE NOT running")) {
            rs.next();
            assertEquals(2, rs.getInt(1), "both profiles stored, neither left running after the stop");
        }

        // no runner running: pause and status go to the same database, not to a SQLite file
        CliProcess.Result pause = cli("pause", "p2", "--for", "1h", "-c", cfg.toString());
        assertEquals(0, pause.exitCode(), pause.err());
        CliProcess.Result status = cli("status", "-c", cfg.toString());
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().lines().anyMatch(l -> l.contains("p2") && l.contains("paused")), status.out());
        assertFalse(Files.exists(dir.resolve("data/state.db")));
        try (Connection c = server.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT paused FROM profiles WHERE profile_id = 'p2'")) {
            assertTrue(rs.next() && rs.getBoolean(1), "the pause is in PostgreSQL");
        }
    }

    private CliProcess.Result cli(String... args) throws Exception {
        CliProcess p = CliProcess.start(dir, Map.of(PASSWORD_VAR, PostgresServer.PASSWORD), args);
        assertTrue(p.process.waitFor(60, TimeUnit.SECONDS), String.join(" ", args) + " finishes");
        return new CliProcess.Result(p.process.exitValue(), p.out(), p.err());
    }

    @Test
    void anUnreachableDatabaseAtStartIsOneLineAndExit1() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path cfg = config("jdbc:postgresql://127.0.0.1:" + closed + "/fleet");
        CliProcess runner = CliProcess.start(dir, Map.of(PASSWORD_VAR, "pw-9d1c-never-printed"),
                "run", "-c", cfg.toString());
        assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), "exits by itself");

        String err = runner.err();
        assertEquals(1, runner.process.exitValue(), err);
        assertEquals("smart-runner: PostgreSQL at 127.0.0.1:" + closed + ": cannot connect (connection refused)",
                err.strip(), "one line, no stack trace");
        assertFalse(runner.out().contains("pw-9d1c") || err.contains("pw-9d1c"));
    }

    /** Regression: a server that accepts TCP but never answers hung {@code run} in its first login for good. */
    @Test
    void aDatabaseThatNeverAnswersAtStartIsOneLineAndExit1() throws Exception {
        try (SilentTcpServer silent = new SilentTcpServer()) {
            Path cfg = config("jdbc:postgresql://127.0.0.1:" + silent.port() + "/fleet");
            CliProcess runner = CliProcess.start(dir, Map.of(PASSWORD_VAR, "pw-9d1c-never-printed"),
                    "run", "-c", cfg.toString());
            boolean exited = runner.process.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                runner.process.destroyForcibly();
            }

            String err = runner.err();
            assertTrue(exited, "exits by itself: " + err);
            assertEquals(1, runner.process.exitValue(), err);
            assertEquals("smart-runner: PostgreSQL at 127.0.0.1:" + silent.port() + ": cannot connect (timed out)",
                    err.strip(), "one line, no stack trace");
        }
    }

    private static int finished(PostgresServer server, String database, String profile) {
        try (Connection c = server.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sessions WHERE status = 'FINISHED'"
                     + " AND profile_id = '" + profile + "'")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            return 0; // not migrated yet
        }
    }
}
