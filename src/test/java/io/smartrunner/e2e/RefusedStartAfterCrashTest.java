package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.testkit.ChildProcesses;
import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runner is killed with its sessions running, and the next {@code run} refuses its configuration
 * (the program went missing in a deploy): the dead runner's sessions are stopped all the same,
 * said in one line, and closed as lost by the next start that runs.
 */
@Tag("e2e")
class RefusedStartAfterCrashTest {
    @TempDir
    Path dir;

    @Test
    void theSessionsOfADeadRunnerDoNotRunOnUnsupervisedWhenTheNextStartRefusesItsConfig() throws Exception {
        Path worker = dir.resolve("worker.sh");
        Files.writeString(worker, "#!/bin/sh\necho $$ > \"child-$SR_SESSION_ID.pid\"\nexec sleep 60\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cfg = dir.resolve("runner.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["%s"], "cooldownMs": 600000, "stopGraceMs": 500},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}, {"id": "p2"}]}]}
                """.formatted(worker));
        CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
        List<Long> children = List.of();
        try {
            CliProcess.await("both sessions wrote their pid", 20_000,
                    () -> ChildProcesses.pidFiles(dir, "child-").size() == 2);
            children = ChildProcesses.pidFiles(dir, "child-");
            first.killWithItsWatchdog(); // the unit killed whole: only the next start can stop them
            assertTrue(children.stream().allMatch(RefusedStartAfterCrashTest::alive), "they outlive the kill -9");

            Files.move(worker, dir.resolve("worker.sh.old")); // the deploy that broke the config
            CliProcess.Result refused = CliProcess.run(dir, "run", "-c", cfg.toString());
            assertEquals(2, refused.exitCode(), refused.err());
            assertTrue(refused.err().contains("cannot start"), refused.err());
            assertTrue(refused.err().contains("of the 2 session(s) the runner before this one left running on"),
                    refused.err());
            List<Long> left = children;
            CliProcess.await("stopped, not left to run on (and reaped by init)", 10_000,
                    () -> left.stream().noneMatch(RefusedStartAfterCrashTest::alive));
            assertEquals(0, EventLogReader.readAll(dir.resolve("logs/events.jsonl")).stream()
                    .filter(e -> "lost".equals(e.params().get("reason"))).count(), "no event: the config naming the log was refused");

            Files.move(dir.resolve("worker.sh.old"), worker);
            CliProcess second = CliProcess.start(dir, "run", "-c", cfg.toString());
            try {
                CliProcess.await("each closed once as lost", 20_000, () -> EventLogReader.readAll(
                        dir.resolve("logs/events.jsonl")).stream().filter(e -> "lost".equals(e.params().get("reason")))
                        .count() == 2);
            } finally {
                second.process.destroy();
                second.process.waitFor(20, TimeUnit.SECONDS);
            }
        } finally {
            first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            ChildProcesses.pidFiles(dir, "child-").forEach(ChildProcesses::kill);
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
