package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer R21: with a long start-up spread the slots sit empty for minutes, and nothing said why.
 * The start says it; a spread of the default second is over before anyone looks, and is not said.
 */
class StartSpreadSaidTest {
    @TempDir
    Path dir;

    @Test
    void aLongStartUpSpreadIsSaidAtStart() throws Exception {
        assertTrue(said(60_000).contains("the first sessions start spread over 60 s (runner.startJitterMs)"));
    }

    @Test
    void theDefaultSecondIsNot() throws Exception {
        assertFalse(said(1000).contains("start spread over"));
    }

    private String said(long jitterMs) throws Exception {
        Path work = Files.createDirectories(dir.resolve("j" + jitterMs));
        Path cfg = work.resolve("runner.json");
        Files.writeString(cfg, """
                {"runner": {"dataDir": "data", "eventLog": "logs/events.jsonl", "startJitterMs": %d},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 30"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "concurrency": 2, "profiles": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]}]}
                """.formatted(jitterMs));
        CliProcess runner = CliProcess.start(work, "run", "-c", cfg.toString());
        try {
            CliProcess.await("the runner started", 30_000, () -> {
                try {
                    // the spread is said right after the start line, on the same thread
                    String err = runner.err();
                    return err.contains("running 3 profile(s)") && (jitterMs < 10_000 || err.contains("start spread"));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS), "runner exits after SIGTERM");
        }
        return runner.err();
    }
}
