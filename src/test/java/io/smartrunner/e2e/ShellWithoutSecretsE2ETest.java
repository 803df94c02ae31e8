package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands an operator runs beside a cluster's runners, from a shell without the runners'
 * secrets ({@code ${env:...}} in http.token and the sessions' env), against a real PostgreSQL:
 * each needs the store's password and nothing else, and says which variable it misses.
 */
@Tag("e2e")
class ShellWithoutSecretsE2ETest {
    private static final String PG_PASSWORD = "SR_R12_PG_PASSWORD";
    private static final Map<String, String> ONLY_THE_STORES = Map.of(PG_PASSWORD, PostgresServer.PASSWORD);

    @TempDir
    Path dir;

    private Path fleet(String database) throws IOException {
        return fleet("fleet.json", PostgresServer.shared().newDatabase(database), "{\"id\": \"p1\"}");
    }

    /** A cluster config whose sessions need a secret and a program this machine does not have. */
    private Path fleet(String name, String url, String profiles) throws IOException {
        return Files.writeString(dir.resolve(name), """
                {"runner": {"name": "alpha"}, "browser": {"provider": "none"},
                 "http": {"port": 0, "token": "${env:SR_R12_TOKEN}"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "session": {"command": ["/opt/sr-worker/bin/worker"], "env": {"API_KEY": "${env:SR_R12_API_KEY}"}},
                 "pods": [{"name": "pod", "profiles": [%s]}]}
                """.formatted(url, PG_PASSWORD, profiles));
    }

    /**
     * Reviewer R12 F2: the read commands kept "${env:SR_PG_PASSWORD}" as written, sent that text as
     * the password and said {@code cannot connect (password authentication failed for user "sr")}.
     */
    @Test
    void theReadCommandsNameTheStoresPasswordVariableWhenItIsNotSet() throws Exception {
        Path cfg = fleet("e2e_read_without_pw");
        for (List<String> command : List.of(List.of("status"), List.of("runners"), List.of("report"),
                List.of("events", "-n", "5"))) {
            String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("-c",
                    cfg.toString())).toArray(String[]::new);
            CliProcess.Result without = CliProcess.run(dir, Map.of(), args);
            assertEquals(2, without.exitCode(), command + ": " + without.out() + without.err());
            assertEquals("smart-runner: " + cfg + ": $.store.password: environment variable " + PG_PASSWORD
                    + " is not set, expected it to be set for \"${env:" + PG_PASSWORD + "}\" (reading the fleet's"
                    + " PostgreSQL store needs it)\n", without.err(), command.toString());

            CliProcess.Result with = CliProcess.run(dir, ONLY_THE_STORES, args);
            assertEquals(0, with.exitCode(), command + ", the token and the sessions' secret still unset: "
                    + with.out() + with.err());
        }
    }

    /**
     * Reviewer R12 F4: import-state refused to start without SR_TOKEN ("$.http.token: environment
     * variable SR_TOKEN is not set") although it makes no HTTP call; it needs the store's password.
     * forget, the other command that writes the fleet's store without a runner, needs no more.
     */
    @Test
    void importStateAndForgetNeedOnlyTheStoresPassword() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_import_without_token");
        Path both = fleet("fleet.json", url, "{\"id\": \"p1\"}, {\"id\": \"p2\"}");
        Instant until = Instant.parse("2099-01-01T00:00:00Z");
        Path old = Files.createDirectories(dir.resolve("old")).resolve("state.db");
        try (SqliteStateStore store = SqliteStateStore.open(old, SqliteSynchronous.FULL)) {
            store.write(new StateWrite(List.of(new ProfileState("p1", "pod", 1, false, true, true, until, null,
                    "exit (exit 1)", null, null, 1, Instant.parse("2026-12-01T00:00:00Z")),
                    ProfileState.fresh("p2", "pod")), List.of()));
        }

        CliProcess.Result imported = CliProcess.run(dir, ONLY_THE_STORES, "import-state", "-c", both.toString(), "--from",
                old.toString());
        assertEquals(0, imported.exitCode(), imported.out() + imported.err());
        assertTrue(imported.out().startsWith("imported 2 profile(s) from " + old + " into PostgreSQL at 127.0.0.1:"
                + PostgresServer.shared().port() + ": 1 paused"), imported.out());

        Path withoutP2 = fleet("fleet-without-p2.json", url, "{\"id\": \"p1\"}");
        CliProcess.Result forgotten = CliProcess.run(dir, ONLY_THE_STORES, "forget", "p2", "-c", withoutP2.toString());
        assertEquals(0, forgotten.exitCode(), forgotten.out() + forgotten.err());
        assertTrue(forgotten.out().startsWith("p2: forgotten"), forgotten.out());
    }
}
