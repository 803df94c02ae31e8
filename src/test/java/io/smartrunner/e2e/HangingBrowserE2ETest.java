package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
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
 * The real runner with real Chromium, one profile of which never comes up: its "Chromium" (a
 * wrapper that, for that profile's user-data-dir, sleeps instead) never opens DevTools, and
 * browser.startTimeoutMs is 10 minutes. The other profile's real browser opens and its sessions
 * run meanwhile; SIGTERM stops the runner at once, the hanging browser's process goes with it,
 * and the launch it held ends as never started.
 */
@Tag("browser")
class HangingBrowserE2ETest {
    @TempDir
    Path dir;

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private long finished(String profileId) {
        return events().stream().filter(e -> e.event().equals("finish") && profileId.equals(e.profileId())).count();
    }

    @Test
    void aBrowserThatNeverOpensHoldsNeitherTheOtherProfilesNorTheStop() throws Exception {
        Path hungPid = dir.resolve("hung.pid");
        Path chromium = dir.resolve("chromium-or-hang.sh");
        Files.writeString(chromium, """
                #!/bin/sh
                case "$*" in
                  *browsers/stuck*) echo $$ > '%s'; exec sleep 600 ;;
                  *) exec /usr/lib/chromium/chromium "$@" ;;
                esac
                """.formatted(hungPid));
        Files.setPosixFilePermissions(chromium, PosixFilePermissions.fromString("rwx------"));
        Path cfg = Files.writeString(dir.resolve("hang.json"), """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0},
                 "browser": {"provider": "chromium", "startTimeoutMs": 600000, "chromium": {"binary": "%s"}},
                 "session": {"command": ["/bin/true"], "cooldownMs": 100},
                 "recovery": {"steps": [], "verify": "none"},
                 "pods": [{"name": "podA", "profiles": [{"id": "stuck"}, {"id": "p2"}]}]}
                """.formatted(chromium));
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        long hung;
        try {
            CliProcess.await("stuck's browser hangs opening", 60_000, () -> Files.exists(hungPid));
            CliProcess.await("p2 ran three sessions in its real browser", 90_000, () -> finished("p2") >= 3);
            hung = Long.parseLong(Files.readString(hungPid).strip());
            assertTrue(ProcessHandle.of(hung).map(ProcessHandle::isAlive).orElse(false), "still hanging");
            assertEquals(0, finished("stuck"));

            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS), "stopped without waiting out the open");
        } finally { // a runner that did not stop: nothing of this test may outlive it (p2's Chromium, the sleep)
            runner.process.destroyForcibly();
            String mine = dir.toString();
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(mine))
                    .forEach(ProcessHandle::destroyForcibly);
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
        assertFalse(ProcessHandle.of(hung).map(ProcessHandle::isAlive).orElse(false),
                "the hanging browser's process is gone");
        List<EventRecord> stuck = events().stream().filter(e -> "stuck".equals(e.profileId())
                && e.type().equals("session")).toList();
        assertEquals(List.of("start", "error"), stuck.stream().map(EventRecord::event).toList());
        assertEquals("spawn", stuck.get(1).params().get("reason"));
        assertEquals("not started: the runner is shutting down", stuck.get(1).params().get("message"));
    }
}
