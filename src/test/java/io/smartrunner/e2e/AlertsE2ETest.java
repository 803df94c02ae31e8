package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.alert.WebhookReceiver;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner with an always-failing profile and a webhook receiver on 127.0.0.1: one alert per
 * pause and per exhausted episode, one fleet alert, the first delivery retried after a 503, and
 * no configured secret in any alert or diagnostic line.
 */
@Tag("e2e")
class AlertsE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private static List<JsonNode> alerts(WebhookReceiver receiver, String kind) {
        return receiver.delivered().stream().map(AlertsE2ETest::parse)
                .filter(a -> a.get("alert").asText().equals(kind)).toList();
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aWebhookReceiverGetsExactlyOneAlertPerPauseAndNoSecrets() throws Exception {
        Map<String, String> secrets = Map.of("SR_E2E_API_KEY", "sk-" + UUID.randomUUID(),
                "SR_E2E_HOOK_SECRET", "hook-" + UUID.randomUUID(), "SR_E2E_ALERT_TOKEN", "tok-" + UUID.randomUUID());
        try (WebhookReceiver receiver = new WebhookReceiver().answer(503)) {
            Path cfg = dir.resolve("alerts.json");
            Files.writeString(cfg, """
                    {"runner": {"startJitterMs": 0, "eventLogFsync": "always"}, "http": {"port": 0},
                     "browser": {"provider": "none"},
                     "session": {"command": ["/bin/sh", "-c", "echo key=$API_KEY >&2; exit 3"], "cooldownMs": 100,
                                 "env": {"API_KEY": "${env:SR_E2E_API_KEY}"}},
                     "recovery": {"maxErrorStreak": 1, "pauseDurationMs": 1500, "maxRecoverySteps": 1,
                                  "retryBackoffMs": 0, "stepTimeoutMs": 5000, "verify": "none",
                                  "steps": [{"name": "kick", "command": ["/bin/sh", "-c", "echo kick $API_KEY; exit 1"]}]},
                     "alerts": {"webhooks": [{"url": "%s/${env:SR_E2E_HOOK_SECRET}",
                                              "headers": {"Authorization": "Bearer ${env:SR_E2E_ALERT_TOKEN}"}}],
                                "failureRate": {"minSessions": 3, "windowMs": 60000}, "retryBackoffMs": 50},
                     "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                    """.formatted(receiver.url("/hook")));
            CliProcess runner = CliProcess.start(dir, secrets, "run", "-c", cfg.toString());
            CliProcess.await("two pauses in the log, each alerted", 60_000, () -> {
                long pauses = events().stream().filter(e -> e.event().equals("pause")).count();
                return pauses >= 2 && alerts(receiver, "pause").size() >= pauses;
            });
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + runner.httpPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("smartrunner_alerts_failed_attempts_total 1.0"), metrics);
            assertTrue(metrics.contains("smartrunner_alerts_dropped_total 0.0"), metrics);
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, runner.process.exitValue(), runner.err());

            List<EventRecord> log = events();
            assertEquals(log.stream().filter(e -> e.event().equals("pause"))
                            .map(e -> e.profileId() + " until " + e.params().get("pausedUntil")).toList(),
                    alerts(receiver, "pause").stream()
                            .map(a -> a.get("profileId").asText() + " until " + a.get("details").get("pausedUntil").asText())
                            .toList(), "exactly one alert per pause event, in order");
            long exhausted = log.stream().filter(e -> "exhausted".equals(e.outcome())).count();
            assertTrue(exhausted >= 2, "an exhausted episode before each pause");
            assertEquals(exhausted, alerts(receiver, "exhausted").size(), "one alert per exhausted episode");
            assertEquals(1, alerts(receiver, "failureRate").size(), "every session fails: one fleet alert, then cooldown");

            List<WebhookReceiver.Request> requests = receiver.requests();
            assertEquals(503, requests.get(0).status());
            assertEquals(requests.get(0).body(), requests.get(1).body(), "the first alert was retried after the 503");
            assertEquals(receiver.delivered().size() + 1, requests.size());
            for (WebhookReceiver.Request r : requests) {
                assertEquals("/hook/" + secrets.get("SR_E2E_HOOK_SECRET"), r.path());
                assertEquals("Bearer " + secrets.get("SR_E2E_ALERT_TOKEN"), r.header("Authorization"));
                assertFalse(parse(r.body()).get("text").asText().isBlank(), r.body());
                secrets.values().forEach(s -> assertFalse(r.body().contains(s), () -> "a secret in " + r.body()));
            }
            assertTrue(log.stream().anyMatch(e -> String.valueOf(e.params().get("stderrTail")).contains("key=***")),
                    "the API key was in play (masked in the error events)");

            String err = runner.err();
            assertTrue(err.contains("alerts: pause, exhausted, failureRate, spawn to http://127.0.0.1:" + receiver.port()), err);
            assertTrue(err.contains("failing (HTTP 503: no); retrying with backoff"), err);
            assertTrue(err.contains("delivering again after 1 failed attempt(s)"), err);
            secrets.values().forEach(s -> assertFalse(err.contains(s), () -> "a secret on stderr: " + err));
        }
    }
}
