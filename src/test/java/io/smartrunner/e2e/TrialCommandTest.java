package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** {@code trial} as a user runs it: a real session, live events, a verdict. */
@Tag("browser")
class TrialCommandTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"recovery\": {\"maxErrorStreak\": 1}, \"browser\": {\"provider\": \"none\"}}");
        return cfg;
    }

    @Test
    void exitFailuresEndInAPauseAfterTheStreakIsExceeded() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "trial", "-c", config().toString(), "--pod", "podA", "--profile",
                "k12im9s2", "--failureType", "exit", "--exitCode", "7", "--cooldown", "100");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("reason=exit class=profile exitCode=7"), r.out());
        assertTrue(r.out().contains("trial: profile paused until"), r.out());
    }

    @Test
    void deadEndInARealBrowserIsRepairedByBrowserBack() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "trial", "-c", config().toString(), "--pod", "podA", "--profile",
                "k12im9s2", "--failureType", "browser-deadend", "--backoff", "200");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("action=goToHomepage outcome=unhealthy"), r.out());
        assertTrue(r.out().contains("trial: profile recovered: step 2 (browserBack) verified it healthy"), r.out());
        assertTrue(!r.out().contains("/devtools/") || r.out().contains("ws://***/devtools/***"), "no DevTools URL shown");
    }

    @Test
    void withTheDefaultChromiumProviderTheTrialServesItsOwnDemoSiteAndLeavesNoBrowser() throws Exception {
        // the homepage is on the runner's demo site, but no runner is up: the trial's own site stands in
        Path cfg = dir.resolve("chromium.json");
        Files.writeString(cfg, """
                {"http": {"port": 7071}, "recovery": {"retryBackoffMs": 200}, "browser": {"closeOnExit": false},
                 "pods": [{"name": "podA", "profiles": [{"id": "k12im9s2",
                           "homepage": "http://127.0.0.1:7071/demo/?profile=k12im9s2"}]}]}""");
        CliProcess.Result r = CliProcess.run(dir, "trial", "-c", cfg.toString(), "--pod", "podA", "--profile",
                "k12im9s2", "--failureType", "exit");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("trial: recovery ladder: [goToHomepage, browserBack"), r.out());
        assertTrue(r.out().contains("trial: profile recovered: step 1 (goToHomepage) verified it healthy"), r.out());
        // nobody runs a trial's data dir again, so nobody would adopt a browser it kept
        assertEquals(List.of(), processesWithArgContaining("--user-data-dir=" + dir.toAbsolutePath()));
    }

    private static List<Long> processesWithArgContaining(String part) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(part)) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException vanished) {
                    // ended while we looked
                }
            }
        }
        return pids;
    }

    @Test
    void unknownFailureTypeIsAUsageError() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "trial", "-c", config().toString(), "--pod", "podA", "--profile",
                "p", "--failureType", "browser-nope");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("\"browser-nope\" is not one of"), r.err());
    }
}
