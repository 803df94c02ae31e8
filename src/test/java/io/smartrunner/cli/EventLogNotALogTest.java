package io.smartrunner.cli;

import static io.smartrunner.cli.CliUsageTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a {@code runner.eventLog} naming a file that is not an event log (the reviewer's was
 * the SQLite store) had its tail cut into {@code .torn} and JSON lines appended to it. A command
 * that writes events now refuses it in one line and leaves it as it was.
 */
class EventLogNotALogTest {
    @TempDir
    Path dir;

    @Test
    void runRefusesToStartOnAnEventLogThatIsNotOneAndLeavesItUntouched() throws Exception {
        Path notes = dir.resolve("notes.txt");
        byte[] before = "line one\nline two without newline".getBytes(StandardCharsets.UTF_8);
        Files.write(notes, before);
        Path cfg = Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"dataDir": "data", "eventLog": "notes.txt", "startJitterMs": 0}, "http": {"port": 0},
                 "browser": {"provider": "none"}, "session": {"command": ["/bin/true"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""");

        CliProcess run = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            assertTrue(run.process.waitFor(60, TimeUnit.SECONDS), "run refused to start: " + run.err());
        } finally {
            run.process.destroy();
        }

        assertEquals(1, run.process.exitValue(), run.err());
        assertTrue(run.err().contains("smart-runner: notes.txt: does not look like an event log: its first line is"
                + " not a JSON object; refusing to append to it"), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
        assertArrayEquals(before, Files.readAllBytes(notes));
        assertFalse(Files.exists(dir.resolve("notes.txt.torn")));
    }

    @Test
    void aManualPauseRefusesAnEventLogThatIsNotOneAndLeavesItUntouched() throws Exception {
        Path notes = dir.resolve("notes.txt");
        byte[] before = "my notes, no newline at the end".getBytes(StandardCharsets.UTF_8);
        Files.write(notes, before);
        Path cfg = Files.writeString(dir.resolve("fleet.json"), """
                {"runner": {"dataDir": "%s", "eventLog": "%s"}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/true"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}"""
                .formatted(dir.resolve("data"), notes));

        CliUsageTest.Run r = cli("pause", "-c", cfg.toString(), "--", "p1");

        assertEquals(1, r.code(), r.err());
        assertEquals("smart-runner: " + notes + ": does not look like an event log: its first line is not a JSON"
                + " object; refusing to append to it (check runner.eventLog)\n", r.err());
        assertArrayEquals(before, Files.readAllBytes(notes));
        assertFalse(Files.exists(dir.resolve("notes.txt.torn")));
        assertFalse(Files.exists(dir.resolve("data/state.db")), "refused before the store was created");
    }
}
