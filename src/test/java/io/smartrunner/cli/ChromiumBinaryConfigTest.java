package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer R24: a {@code browser.chromium.binary} that cannot run was the one config mistake said
 * without its file and key, with exit 1, after the data dir and the event log were made. It is
 * refused now as the others are: one line naming the file, the key and the value, exit 2, nothing
 * made.
 */
class ChromiumBinaryConfigTest {
    @TempDir
    Path dir;

    @Test
    void runRefusesAConfiguredBinaryThatCannotRunAsAConfigMistakeBeforeMakingAnything() throws Exception {
        Path cfg = Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"dataDir": "data", "eventLog": "logs/events.jsonl"}, "http": {"port": 0},
                 "browser": {"chromium": {"binary": "/nonexistent/chromium"}}, "session": {"command": ["/bin/true"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""");

        CliProcess.Result run = CliProcess.run(dir, "run", "-c", cfg.toString());

        assertEquals(2, run.exitCode(), run.err());
        assertEquals("smart-runner: " + cfg + ": $.browser.chromium.binary: /nonexistent/chromium is not an executable"
                + " file; install Chromium (bin/setup, or apt-get install chromium), fix the path, or set"
                + " browser.provider to \"none\"\n", run.err());
        assertFalse(Files.exists(dir.resolve("data")), "nothing made");
        assertFalse(Files.exists(dir.resolve("logs")), "no event log");
    }
}
