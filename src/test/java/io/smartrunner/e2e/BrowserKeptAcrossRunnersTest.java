package io.smartrunner.e2e;

import static io.smartrunner.testkit.ChildProcesses.alive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code browser.closeOnExit} with real runner processes and a real Chromium: with false the
 * browser outlives the runner and the next runner of the data dir adopts it (same process, same
 * DevTools endpoint for the sessions, no second Chromium); with true a runner stops what an
 * earlier one left and leaves no Chromium of the data dir behind when it exits.
 */
@Tag("browser")
class BrowserKeptAcrossRunnersTest {
    @TempDir
    Path dir;
    private String runnerId;
    /** What the API said of p1's browser while the last runner ran. */
    private com.fasterxml.jackson.databind.JsonNode apiBrowser;

    private Path config(boolean closeOnExit) throws IOException {
        return Files.writeString(dir.resolve("kept.json"), """
                {"runner": {"startJitterMs": 0, "eventLogFsync": "always"}, "http": {"port": 0},
                 "browser": {"provider": "chromium", "closeOnExit": %s},
                 "session": {"command": ["/bin/sh", "-c",
                                         "echo \\"$SR_CDP_URL\\" >> cdp-urls; echo \\"$SR_RUNNER_ID\\" > runner-id"],
                             "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """.formatted(closeOnExit));
    }

    private long finished() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log).stream().filter(e -> e.event().equals("finish")).count() : 0;
    }

    /** Starts a runner, waits until its one session (which records its {cdpUrl}) finished, stops it with SIGTERM. */
    private String runOnce(Path cfg) throws Exception {
        long before = finished();
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("the runner's session finished", 90_000, () -> finished() == before + 1);
        apiBrowser = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newHttpClient()
                .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + runner.httpPort()
                        + "/api/profiles/p1")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()).get("browser");
        runner.process.destroy();
        assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), "the runner exits after SIGTERM");
        assertEquals(0, runner.process.exitValue(), runner.err());
        runnerId = Files.readString(dir.resolve("runner-id")).strip();
        List<String> urls = Files.readAllLines(dir.resolve("cdp-urls"));
        return urls.get(urls.size() - 1);
    }

    @Test
    void closeOnExitFalseKeepsTheBrowserForTheNextRunnerWhichAdoptsItAndTrueLeavesNone() throws Exception {
        String firstUrl = runOnce(config(false));
        Map<Long, String> first = browserLeaders();
        assertEquals(1, first.size(), "one Chromium for p1: " + first);
        long pid = first.keySet().iterator().next();
        assertEquals("chromium", apiBrowser.get("provider").asText());
        assertTrue(apiBrowser.get("open").asBoolean(), "the API shows the browser open: " + apiBrowser);
        assertEquals(pid, apiBrowser.get("pid").asLong(), "with the pid of the Chromium that runs");
        assertEquals(3, apiBrowser.size(), "provider, open, pid and nothing else (no DevTools URL): " + apiBrowser);

        String secondUrl = runOnce(config(false));
        assertEquals(firstUrl, secondUrl, "the next runner's session is served by the same browser");
        assertEquals(first, browserLeaders(), "the same Chromium process, and no second one for p1");
        assertEquals(pid, apiBrowser.get("pid").asLong(), "the adopted browser is shown as open with its pid");
        assertTrue(EventLogReader.readAll(dir.resolve("logs/events.jsonl")).stream()
                .noneMatch(e -> "lost".equals(e.params().get("reason"))), "nothing was lost");

        String thirdUrl = runOnce(config(true));
        assertNotEquals(firstUrl, thirdUrl, "with closeOnExit true the kept browser is an orphan: stopped");
        assertFalse(alive(pid), "the kept Chromium " + pid + " was stopped");
        CliProcess.await("no process of the data dir is left", 10_000, () -> tagged().isEmpty());
    }

    @AfterEach
    void killWhatATestFailureLeft() throws Exception {
        for (long pid : tagged().keySet()) {
            new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        }
    }

    /** Live processes tagged with the data dir's runner id, with their SR_SESSION_ID. */
    private Map<Long, String> tagged() {
        Map<Long, String> found = new HashMap<>();
        if (runnerId == null) {
            return found;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.ISO_8859_1);
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (env.contains("SR_RUNNER_ID=" + runnerId + "\0") && alive(pid)) {
                        String run = env.substring(env.indexOf("SR_SESSION_ID=") + 14);
                        found.put(pid, run.substring(0, run.indexOf('\0')));
                    }
                } catch (IOException | RuntimeException vanished) {
                    // ended while we looked
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }

    /** p1's browser leaders (each leads its own process group), pid → browser run id. */
    private Map<Long, String> browserLeaders() throws IOException {
        Map<Long, String> leaders = new HashMap<>();
        for (Map.Entry<Long, String> e : tagged().entrySet()) {
            String stat = Files.readString(Path.of("/proc/" + e.getKey() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (e.getValue().startsWith("browser-p1-") && Long.parseLong(f[2]) == e.getKey()) {
                leaders.put(e.getKey(), e.getValue());
            }
        }
        return leaders;
    }

}
