package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        return Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"name": "alpha"}, "browser": {"provider": "none"},
                 "http": {"port": 0, "token": "${env:SR_R12_TOKEN}"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "session": {"command": ["/bin/true"], "env": {"API_KEY": "${env:SR_R12_API_KEY}"}},
                 "pods": [{"name": "pod", "profiles": [{"id": "p1"}]}]}
                """.formatted(PostgresServer.shared().newDatabase(database), PG_PASSWORD));
    }

    private CliProcess.Result run(Map<String, String> env, String... args) throws Exception {
        CliProcess cli = CliProcess.start(dir, env, args);
        if (!cli.process.waitFor(60, TimeUnit.SECONDS)) {
            cli.process.destroyForcibly();
            throw new AssertionError("did not finish: " + String.join(" ", args));
        }
        return new CliProcess.Result(cli.process.exitValue(), cli.out(), cli.err());
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
            CliProcess.Result without = run(Map.of(), args);
            assertEquals(2, without.exitCode(), command + ": " + without.out() + without.err());
            assertEquals("smart-runner: " + cfg + ": $.store.password: environment variable " + PG_PASSWORD
                    + " is not set, expected it to be set for \"${env:" + PG_PASSWORD + "}\" (reading the fleet's"
                    + " PostgreSQL store needs it)\n", without.err(), command.toString());

            CliProcess.Result with = run(ONLY_THE_STORES, args);
            assertEquals(0, with.exitCode(), command + ", the token and the sessions' secret still unset: "
                    + with.out() + with.err());
        }
    }
}
