package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogFiles;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner rotating its event log (20 KiB files) under a crash-looping fleet, with
 * {@code events --follow} attached from before the first line: the follower prints every line
 * written exactly once, in order, across every rotation.
 */
@Tag("e2e")
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
                 "breaker": {"enabled": false},
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

    private static long sizeOf(Path f) {
        try {
            return Files.exists(f) ? Files.size(f) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    @Test
    void aFollowerAttachedFromTheStartSeesEveryLineOnceAcrossRotations() throws Exception {
        Path cfg = config();
        CliProcess follower = CliProcess.start(dir, "events", "--follow", "--lines", "0", "-c", cfg.toString());
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        List<String> streamed = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            int port = runner.httpPort();
            // the dashboard's live feed from the first line: /api/events/stream?after=0
            java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/api/events/stream?after=0")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> r.body()
                    .filter(l -> l.startsWith("data: ")).forEach(l -> streamed.add(l.substring(6))));
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

        // the SSE stream crossed the rotations too: what it sent is the log's beginning, in order
        List<String> sent = new ArrayList<>(streamed);
        long inRotatedFiles = EventLogFiles.oldestFirst(log()).stream().filter(f -> !f.equals(log()))
                .mapToLong(f -> {
                    try {
                        return Files.readAllLines(f).size();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).sum();
        assertTrue(sent.size() >= inRotatedFiles, sent.size() + " streamed, " + inRotatedFiles + " in rotated files");
        assertEquals(written.subList(0, sent.size()), sent);

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

    @Test
    void sigusr1AfterAnExternalRenameReopensThePath() throws Exception {
        Path cfg = config();
        Files.writeString(cfg, Files.readString(cfg).replace("\"eventLogMaxBytes\": 20480", "\"eventLogMaxBytes\": 0"));
        CliProcess follower = CliProcess.start(dir, "events", "--follow", "--lines", "0", "-c", cfg.toString());
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("some events", 30_000, () -> sizeOf(log()) > 5000);
            Files.move(log(), EventLogFiles.rotated(log(), 1)); // logrotate's rename
            // (the runner would also notice the rename itself within a second: the signal is at once)
            Process kill = new ProcessBuilder("kill", "-USR1", String.valueOf(runner.process.pid())).start();
            assertEquals(0, kill.waitFor());
            CliProcess.await("the runner reopened the path", 20_000,
                    () -> sizeOf(log()) > 0);
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
        List<String> written = linesOnDisk();
        try {
            CliProcess.await("the follower printed all lines", 30_000, () -> {
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
        assertEquals(written, lines(follower.out()));
        assertTrue(Files.size(EventLogFiles.rotated(log(), 1)) > 0);
    }

    @Test
    void aLogDeletedUnderARunningRunnerComesBackAtItsPathAndTheRunnerSaysSo() throws Exception {
        Path cfg = config();
        Files.writeString(cfg, Files.readString(cfg).replace("\"eventLogMaxBytes\": 20480", "\"eventLogMaxBytes\": 0"));
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("some events", 30_000, () -> sizeOf(log()) > 5000);
            Files.delete(log()); // by mistake, or a logrotate without postrotate
            CliProcess.await("the runner said so", 20_000, () -> {
                try {
                    return runner.err().contains("the event log was moved or deleted");
                } catch (IOException e) {
                    return false;
                }
            });
            CliProcess.await("a session started, logged at the path", 20_000, () -> {
                try {
                    return Files.exists(log()) && Files.readString(log()).contains("\"event\":\"start\"");
                } catch (IOException e) {
                    return false;
                }
            });
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
        List<String> after = Files.readAllLines(log(), StandardCharsets.UTF_8);
        CliProcess.Result events = CliProcess.run(dir, "events", "--lines", "100000", "-c", cfg.toString());
        assertEquals(0, events.exitCode(), events.err());
        assertEquals(after, lines(events.out()), "the log as the CLI reads it: the file at its path, whole");
    }
}
