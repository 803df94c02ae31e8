package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's control commands with no runner report success only once their event is written (issue #9, point 3). */
@Tag("e2e")
class OfflineControlDiskFullTest {
    @TempDir
    Path dir;

    @Test
    void aPauseWhoseEventCannotBeWrittenFailsInOneLineAndLeavesTheProfileUnpaused() throws Exception {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""");
        CliProcess.Result reset = CliProcess.run(dir, "reset", "p1", "-c", cfg.toString());
        assertEquals(0, reset.exitCode(), reset.err());
        Path log = dir.resolve("logs/events.jsonl");
        String before = Files.readString(log);
        Files.move(log, dir.resolve("events.saved"));
        Files.createSymbolicLink(log, Path.of("/dev/full"));

        CliProcess.Result pause = CliProcess.run(dir, "pause", "p1", "--for", "2h", "-c", cfg.toString());
        assertNotEquals(0, pause.exitCode(), pause.out());
        assertTrue(pause.err().contains("No space left on device"), pause.err());
        assertEquals(1, pause.err().strip().lines().count(), "one line, no stack trace: " + pause.err());
        assertFalse(pause.out().contains("paused until"), pause.out());

        Files.delete(log);
        Files.move(dir.resolve("events.saved"), log);
        CliProcess.Result status = CliProcess.run(dir, "status", "--json", "-c", cfg.toString());
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().contains("\"paused\" : false"), status.out());
        assertEquals(before, Files.readString(log));
    }
}
