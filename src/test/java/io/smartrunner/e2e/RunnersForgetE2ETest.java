package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runners --forget}: a runner that left the fleet for good leaves its list, a live one does not. */
@Tag("e2e")
class RunnersForgetE2ETest {
    @TempDir
    Path dir;

    @Test
    void aStoppedRunnerIsForgottenALiveOneIsNot() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_runners_forget");
        Path cfg = Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "bravo"}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "%s"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.2"], "cooldownMs": 50},
                 "pods": [{"name": "pod-a", "profiles": [{"id": "p1"}]}]}
                """.formatted(url, PostgresServer.PASSWORD));
        CliProcess bravo = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("bravo joined", 60_000, () -> {
                try {
                    return bravo.err().contains("running 1 profile(s)");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            CliProcess.Result alive = CliProcess.run(dir, "runners", "--forget", "bravo", "-c", cfg.toString());
            assertEquals(1, alive.exitCode(), alive.out() + alive.err());
            assertTrue(alive.err().startsWith("smart-runner: runner bravo is alive on PostgreSQL at ")
                    && alive.err().endsWith("stop it first, nothing was changed\n"), alive.err());
        } finally {
            bravo.process.destroy();
            assertTrue(bravo.process.waitFor(30, TimeUnit.SECONDS));
        }
        CliProcess.Result listed = CliProcess.run(dir, "runners", "-c", cfg.toString());
        assertTrue(listed.out().contains("bravo") && listed.out().contains("stopped"), listed.out());

        CliProcess.Result forgot = CliProcess.run(dir, "runners", "--forget", "bravo", "-c", cfg.toString());
        assertEquals(0, forgot.exitCode(), forgot.out() + forgot.err());
        assertTrue(forgot.out().startsWith("runner bravo forgotten: PostgreSQL at "), forgot.out());
        CliProcess.Result after = CliProcess.run(dir, "runners", "-c", cfg.toString());
        assertEquals(0, after.exitCode(), after.err());
        assertFalse(after.out().contains("bravo"), after.out());

        CliProcess.Result again = CliProcess.run(dir, "runners", "--forget", "bravo", "-c", cfg.toString());
        assertEquals(2, again.exitCode(), again.out() + again.err());
        assertTrue(again.err().startsWith("smart-runner: no runner named bravo on PostgreSQL at "), again.err());
    }
}
