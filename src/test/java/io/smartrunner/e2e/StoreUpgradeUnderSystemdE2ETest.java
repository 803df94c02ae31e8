package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.store.OlderSqliteSchemas;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.systemd.UnixDatagram;
import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runner under systemd ({@code Type=notify}) that must first upgrade a big store: each line the
 * upgrade says also goes to systemd as STATUS with EXTEND_TIMEOUT_USEC, so the unit's
 * TimeoutStartSec runs from the last line, not from the start; none after READY=1 (an
 * extension then would lengthen the stop's timeout instead).
 */
@Tag("e2e")
class StoreUpgradeUnderSystemdE2ETest {
    /** Above what the upgrade copies quietly in its one transaction (SessionRegrouping's 100 000). */
    private static final int SESSIONS = 100_001;

    @TempDir
    Path dir;

    @Test
    void eachLineOfABigUpgradeExtendsTheStartTimeoutUntilReady() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path db = data.resolve("state.db");
        schemaThreeStoreWithManySessions(db);
        Path cfg = dir.resolve("upgrade.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "dataDir": "%s", "eventLog": "%s"}, "http": {"port": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""".formatted(data, dir.resolve("events.jsonl")));
        String socket = dir.resolve("notify.sock").toString();
        try (UnixDatagram systemd = UnixDatagram.bound(socket)) {
            CliProcess runner = CliProcess.start(dir, Map.of("NOTIFY_SOCKET", socket), "run", "-c", cfg.toString());
            try {
                List<String> beforeReady = until(systemd, "READY=1", runner);
                List<String> extensions = beforeReady.stream().filter(m -> m.startsWith("EXTEND_TIMEOUT_USEC=")).toList();
                assertFalse(extensions.isEmpty(), "no extension before READY=1: " + beforeReady + "; stderr: " + runner.err());
                assertTrue(extensions.get(0).startsWith("EXTEND_TIMEOUT_USEC=300000000\nSTATUS=" + db
                        + ": upgrading the schema from version 3 to 4; the store as it was is in " + db + ".schema-3"),
                        extensions.get(0));
                assertTrue(extensions.get(1).startsWith("EXTEND_TIMEOUT_USEC=300000000\nSTATUS=" + db
                        + ": upgrading to schema 4, once: regrouping " + SESSIONS + " kept sessions"), extensions.get(1));
                assertTrue(extensions.stream().anyMatch(m -> m.contains("sessions regrouped in")), extensions.toString());
                assertTrue(runner.err().contains("upgrading to schema 4"), runner.err());

                runner.process.destroy(); // SIGTERM
                List<String> afterReady = until(systemd, "STOPPING=1", runner);
                assertTrue(afterReady.stream().noneMatch(m -> m.contains("EXTEND_TIMEOUT_USEC")), afterReady.toString());
                assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, runner.process.exitValue(), runner.err());
            } finally {
                runner.process.destroyForcibly();
            }
        }
    }

    /** A store as a version-3 runner left it, holding {@link #SESSIONS} ended sessions of p1. */
    private static void schemaThreeStoreWithManySessions(Path db) throws Exception {
        SqliteStateStore.open(db, SqliteSynchronous.NORMAL).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO profiles (profile_id, pod) VALUES ('p1', 'podA')");
            st.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + SESSIONS + ")"
                    + " INSERT INTO sessions SELECT printf('s%09d', i), 'p1', 'podA', 100, 1, 100, 1000000 + i,"
                    + " 'FINISHED', 1000000 + i + 1, NULL, 0 FROM n");
        }
        OlderSqliteSchemas.asVersion3(db);
    }

    /** The datagrams up to and including the first that starts with {@code prefix}, within 60 s. */
    private static List<String> until(UnixDatagram socket, String prefix, CliProcess runner) throws Exception {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadline < 0) {
            String m = socket.receive(1_000);
            if (m != null) {
                seen.add(m);
                if (m.startsWith(prefix)) {
                    return seen;
                }
            }
        }
        throw new AssertionError("no " + prefix + " from the runner; got " + seen + "; its stderr: " + runner.err());
    }
}
