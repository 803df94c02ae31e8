package io.smartrunner.e2e;

import static io.smartrunner.testkit.ChildProcesses.alive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardest rung of the ladder, for real: the profile's Chromium is frozen with SIGSTOP, so the
 * three page steps fail (at once: the browser is seen stopped) and reopenProfile's graceful close
 * fails; restartProfile brings back a healthy browser, and nothing of the frozen one is left.
 */
@Tag("browser")
class FrozenBrowserLadderTest {
    /** Steps 1-4 wait this long on the frozen browser; restartProfile must start a fresh one within it. */
    private static final long STEP_TIMEOUT_MS = 8_000;
    @TempDir
    Path dir;

    @Test
    void restartProfileHealsAFrozenBrowserAfterEveryCheaperStepFailed() throws Exception {
        try (BrowserFleet fleet = new BrowserFleet(dir, List.of("/bin/sh", "-c", "touch session-running; sleep 2; exit 1"),
                null, null, STEP_TIMEOUT_MS)) {
            // the session is spawned only once its browser is open and its first page loaded
            CliProcess.await("the session runs with its browser", 60_000,
                    () -> Files.exists(dir.resolve("session-running")));
            List<Long> frozen = browserProcesses(fleet.store.runnerId());
            assertFalse(frozen.isEmpty(), "the profile's Chromium runs");
            for (long pid : frozen) {
                new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            }
            CliProcess.await("the episode ended", 90_000, fleet::episodeEnded);

            List<String> ladder = fleet.ladder();
            assertEquals(List.of("goToHomepage:failed", "browserBack:failed", "refreshPage:failed",
                    "reopenProfile:failed", "restartProfile:ok"), ladder);
            // told at once, not each after its stepTimeoutMs (reviewer R24: 24 s of steps stalled on it)
            // (p1 has no homepage: goToHomepage fails for that)
            assertEquals(List.of("the browser of p1 is stopped (SIGSTOP): it answers nothing until continued"),
                    fleet.recoverMessages().subList(1, 3).stream().distinct().toList(), fleet.recoverMessages().toString());
            for (long pid : frozen) {
                assertFalse(alive(pid), "process " + pid + " of the frozen browser is gone");
            }
            assertFalse(browserProcesses(fleet.store.runnerId()).isEmpty(), "a fresh browser runs");
        }
    }


    /** Live processes of p1's browser: tagged with the runner's id and a browser run id. */
    private static List<Long> browserProcesses(String runnerId) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.ISO_8859_1);
                    if (env.contains("SR_RUNNER_ID=" + runnerId) && env.contains("SR_SESSION_ID=browser-p1-")
                            && alive(Long.parseLong(p.getFileName().toString()))) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException vanished) {
                    // ended while we looked
                }
            }
        }
        return pids;
    }
}
