package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner rotating its event log (20 KiB files) under a crash-looping fleet, with
 * {@code events --follow} attached from before the first line: the follower prints every line
 * written exactly once, in order, across every rotation.
 */
class EventLogRotationE2ETest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("logs/events.jsonl");
    }

    private Path config() throws IOException {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "eventLogMaxBytes": 20480, "eventLogKeep": 200,
                            "globalConcurrency": 8},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "echo boom >&2; exit 3"], "cooldownMs": 0},
                 "recovery": {"maxErrorStreak": 2, "pauseDurationMs": 200, "retryBackoffMs": 0, "verify": "none",
                              "steps": [{"name": "kick", "command": ["/bin/true"]}]},
                 "pods": [{"name": "podA", "concurrency": 8, "profiles": [
                    {"id": "p1"}, {"id": "p2"}, {"id": "p3"}, {"id": "p4"}, {"id": "p5"}, {"id": "p6"}]}]}
                """);
        return cfg;
    }

    /** Every line of the log's files, oldest file first. */
    private List<String> linesOnDisk() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : EventLogFiles.oldestFirst(log())) {
            if (Files.exists(f)) {
                out.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    @Test
    void aFollowerAttachedFromTheStartSeesEveryLineOnceAcrossRotations() throws Exception {
        Path cfg = config();
        CliProcess follower = CliProcess.start(dir, "events", "--follow", "--lines", "0", "-c", cfg.toString());
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("the log rotated 5 times", 90_000,
                    () -> Files.exists(EventLogFiles.rotated(log(), 5)));
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
        List<String> written = linesOnDisk();
        try {
            CliProcess.await("the follower printed all " + written.size() + " lines", 30_000,
                    () -> {
                        try {
                            return lines(follower.out()).size() >= written.size();
                        } catch (IOException e) {
                            return false;
                        }
                    });
        } finally {
            follower.process.destroy();
            follower.process.waitFor(10, TimeUnit.SECONDS);
        }
        List<String> followed = lines(follower.out());
        for (Path f : EventLogFiles.oldestFirst(log())) {
            byte[] bytes = Files.readAllBytes(f);
            assertTrue(bytes.length > 0 && bytes[bytes.length - 1] == '\n', f + " ends with a whole line");
            assertTrue(bytes.length <= 20480, f + " holds " + bytes.length + " bytes, over the limit");
        }
        assertEquals(written.size(), followed.size(), "lines written vs followed");
        for (int i = 0; i < written.size(); i++) {
            assertEquals(written.get(i), followed.get(i), "line " + (i + 1) + " (none lost, repeated or reordered)");
        }

        // report and events read every file, in order
        CliProcess.Result report = CliProcess.run(dir, "report", "--json", "-c", cfg.toString());
        assertEquals(0, report.exitCode(), report.err());
        long pauses = written.stream().filter(l -> l.contains("\"event\":\"pause\"")).count();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(report.out());
        assertTrue(pauses > 0);
        assertEquals(pauses, json.path("pods").path("podA").path("pauses").asLong(), "pauses in every file counted");
        assertEquals(0, json.path("malformedLines").asLong(-1), report.out());
        CliProcess.Result all = CliProcess.run(dir, "events", "--lines", String.valueOf(written.size() + 10),
                "-c", cfg.toString());
        assertEquals(written, lines(all.out()));
        assertEquals("", all.err());
    }
}
