package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.alert.WebhookReceiver;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9: a session program that stopped being executable paused all 20 profiles for 24 h in
 * 0.37 s. With the real runner and real files: the program loses its exec bit after load; nobody
 * is paused, the errors are classed infrastructure, each profile's retries spread out (1 s, 2 s,
 * 4 s ...) and one alert tells the operator.
 */
@Tag("e2e")
class SpawnFailureTest {
    private static final int PROFILES = 20;
    /** Wall-clock timestamps and the runner's monotonic timers may disagree by a little. */
    private static final long SLACK_MS = 50;

    @TempDir
    Path dir;

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private List<EventRecord> spawnErrors(List<EventRecord> log, String profileId) {
        return log.stream().filter(e -> e.event().equals("error") && e.profileId().equals(profileId)
                && "spawn".equals(e.params().get("reason"))).toList();
    }

    @Test
    void programThatLosesItsExecBitPausesNobodyAndBacksOff() throws Exception {
        Path worker = dir.resolve("worker.sh");
        Files.writeString(worker, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwx------"));
        StringBuilder profiles = new StringBuilder();
        for (int i = 0; i < PROFILES; i++) {
            profiles.append(i == 0 ? "" : ", ").append("{\"id\": \"p").append(i).append("\"}");
        }
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Path cfg = dir.resolve("spawn.json");
            Files.writeString(cfg, """
                    {"runner": {"startJitterMs": 0, "globalConcurrency": 20}, "http": {"port": 0},
                     "browser": {"provider": "none"},
                     "session": {"command": ["%s", "{profileId}"], "cooldownMs": 100},
                     "recovery": {"maxErrorStreak": 2, "steps": [], "verify": "none"},
                     "alerts": {"webhooks": [{"url": "%s"}], "retryBackoffMs": 50},
                     "pods": [{"name": "podA", "concurrency": 20, "profiles": [%s]}]}
                    """.formatted(worker, receiver.url("/hook"), profiles));
            CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
            CliProcess.await("every profile ran a session", 60_000, () -> events().stream()
                    .filter(e -> e.event().equals("finish")).map(EventRecord::profileId).distinct().count() == PROFILES);

            Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rw-------"));
            CliProcess.await("every profile failed to spawn 4 times (1 + 2 + 4 s of back-off)", 90_000, () -> {
                List<EventRecord> log = events();
                for (int i = 0; i < PROFILES; i++) {
                    if (spawnErrors(log, "p" + i).size() < 4) {
                        return false;
                    }
                }
                return true;
            });
            CliProcess.await("the spawn alert was delivered", 20_000, () -> !receiver.delivered().isEmpty());
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, runner.process.exitValue(), runner.err());

            List<EventRecord> log = events();
            assertEquals(List.of(), log.stream().filter(e -> e.event().equals("pause")).toList(), "nobody paused");
            for (int i = 0; i < PROFILES; i++) {
                String id = "p" + i;
                List<EventRecord> errors = spawnErrors(log, id);
                for (EventRecord e : errors) {
                    assertEquals("infrastructure", e.params().get("class"), e.toString());
                    assertEquals(0, ((Number) e.params().get("errorStreak")).intValue(), e.toString());
                    assertTrue(String.valueOf(e.params().get("message")).contains("Permission denied"), e.toString());
                }
                // each retry waits at least twice as long as the one before: 1 s, 2 s, 4 s
                List<EventRecord> starts = log.stream().filter(e -> e.event().equals("start") && e.profileId().equals(id)
                        && e.ts().isAfter(errors.get(0).ts())).toList();
                for (int k = 0; k < 3; k++) {
                    long waited = Duration.between(errors.get(k).ts(), starts.get(k).ts()).toMillis();
                    assertTrue(waited >= (1000L << k) - SLACK_MS, id + " retry " + (k + 1) + " after " + waited + " ms");
                }
            }
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> alerts = new ArrayList<>();
            for (String body : receiver.delivered()) {
                alerts.add(json.readTree(body));
            }
            assertEquals(List.of("spawn"), alerts.stream().map(a -> a.get("alert").asText()).collect(Collectors.toList()),
                    "one alert for the whole episode, and no failure-rate storm");
            assertTrue(alerts.get(0).get("text").asText().contains("Permission denied"), alerts.get(0).toString());

            CliProcess.Result status = CliProcess.run(dir, "status", "--json", "-c", cfg.toString());
            assertEquals(0, status.exitCode(), status.err());
            for (JsonNode p : json.readTree(status.out())) {
                assertEquals(0, p.get("errorStreak").asInt(), p.toString());
            }
        }
    }
}
