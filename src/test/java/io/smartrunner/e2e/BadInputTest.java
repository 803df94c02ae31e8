package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's mistake: one line naming what was wrong, a non-zero exit, and nothing started. */
@Tag("e2e")
class BadInputTest {
    @TempDir
    Path dir;

    private CliProcess.Result runWith(String json) throws Exception {
        Path cfg = dir.resolve("cfg.json");
        Files.writeString(cfg, json);
        return CliProcess.run(dir, "run", "-c", cfg.toString());
    }

    private void assertOneLineError(CliProcess.Result r, int code, String... fragments) {
        assertEquals(code, r.exitCode(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line, got: " + err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
        assertFalse(Files.exists(dir.resolve("data")), "nothing started");
    }

    @Test
    void unknownKeySuggestsTheNearMiss() throws Exception {
        assertOneLineError(runWith("{\"recovery\": {\"maxErrorStreek\": 3}}"), 2,
                "cfg.json", "$.recovery.maxErrorStreek", "maxErrorStreak");
    }

    @Test
    void truncatedJsonNamesTheFile() throws Exception {
        assertOneLineError(runWith("{\"recovery\": {\"maxErrorStreak\": 3"), 2, "cfg.json");
    }

    @Test
    void missingEnvironmentVariableIsNamed() throws Exception {
        assertOneLineError(runWith("{\"http\": {\"token\": \"${env:SR_SURELY_MISSING_VAR}\"}}"), 2,
                "$.http.token", "SR_SURELY_MISSING_VAR");
    }

    @Test
    void badProfileIdIsRejected() throws Exception {
        assertOneLineError(runWith("{\"pods\": [{\"name\": \"a\", \"profiles\": [{\"id\": \"../../etc\"}]}]}"), 2,
                "$.pods[0].profiles[0].id");
    }

    /** Issue #9: a missing program paused a 20-profile fleet for 24 h; now the runner does not start. */
    @Test
    void missingSessionProgramIsAConfigError() throws Exception {
        assertOneLineError(runWith("{\"http\": {\"port\": 0}, \"browser\": {\"provider\": \"none\"}, "
                        + "\"session\": {\"command\": [\"/nonexistent/worker\", \"{profileId}\"]}, "
                        + "\"pods\": [{\"name\": \"a\", \"profiles\": [{\"id\": \"p1\"}]}]}"), 2,
                "cfg.json", "$.session.command", "/nonexistent/worker", "No such file or directory",
                "expected a program that exists and is executable");
    }

    @Test
    void missingChromiumSaysHowToInstallItOrSwitchProvider() throws Exception {
        CliProcess.Result r = runWith("{\"http\": {\"port\": 0}, \"browser\": {\"provider\": \"chromium\", \"chromium\": {\"binary\": \"/nonexistent/chromium\"}}}");
        // a configured path is the config file's mistake since session 52 (reviewer R24): its file and key, exit 2
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("cfg.json: $.browser.chromium.binary: /nonexistent/chromium"), r.err());
        assertTrue(r.err().contains("/nonexistent/chromium") && r.err().contains("apt-get install chromium"), r.err());
        assertFalse(r.err().strip().contains("\n"), r.err());
    }

    @Test
    void missingConfigFileIsNamed() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "run", "-c", "nope.json");
        assertOneLineError(r, 2, "nope.json");
    }

    @Test
    void unknownCommandLineOptionIsUsageError() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "status", "--jsn");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--jsn"), r.err());
    }

    @Test
    void stateFileThatIsNotADatabaseIsNamedAndNothingIsOverwritten() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/state.db"), "this is not sqlite, and must survive");
        Path cfg = dir.resolve("cfg.json");
        Files.writeString(cfg, "{\"runner\": {\"dataDir\": \"data\"}, \"http\": {\"port\": 0}, \"browser\": {\"provider\": \"none\"}, \"pods\": []}");
        CliProcess.Result r = CliProcess.run(dir, "run", "-c", cfg.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().contains("state.db"), r.err());
        assertFalse(r.err().strip().contains("\n"), r.err());
        assertEquals("this is not sqlite, and must survive", Files.readString(dir.resolve("data/state.db")));
    }

    @Test
    void secondRunnerOnTheSameDataDirIsRefused() throws Exception {
        Path cfg = dir.resolve("cfg.json");
        Files.writeString(cfg, "{\"runner\": {\"dataDir\": \"data\"}, \"http\": {\"port\": 0}, \"browser\": {\"provider\": \"none\"}}");
        CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("first runner up", 20_000, () -> {
            try {
                return first.err().contains("idling");
            } catch (Exception e) {
                return false;
            }
        });
        CliProcess.Result second = CliProcess.run(dir, "run", "-c", cfg.toString());
        first.process.destroy();
        first.process.waitFor();
        assertEquals(1, second.exitCode());
        assertTrue(second.err().contains("another runner"), second.err());
    }
}
