package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.alert.WebhookReceiver;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.testkit.CliProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What spans a window of past events survives a {@code kill -9} (reviewer O): the breaker's gauge
 * in {@code /metrics} said 0 for a breaker the new runner held open (the API, {@code status} and
 * {@code /readyz} said open), and the fleet failure-rate alert paged "9 of 10 sessions … failed"
 * at each restart, on the lost sessions of the runner's own crash.
 */
@Tag("e2e")
class RestartKeepsWindowsE2ETest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aBreakerOpenAtAKillIsOpenInTheMetricsOfTheNextRunner() throws Exception {
        Path cfg = Files.writeString(dir.resolve("runner.json"), """
                {"runner": {"startJitterMs": 0, "globalConcurrency": 10}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/false"], "cooldownMs": 200},
                 "recovery": {"maxErrorStreak": 1000, "steps": []},
                 "breaker": {"windowMs": 10000, "minProfiles": 5, "probeIntervalMs": 600000},
                 "pods": [{"name": "podA", "concurrency": 10, "profiles": [%s]}]}
                """.formatted(profiles(6)));
        CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            int port = first.httpPort();
            CliProcess.await("the site is down: the breaker opens", 30_000, () -> count("breaker-open") == 1);
            CliProcess.await("and says so in /metrics", 10_000, () -> breakerGauge(port).equals("1.0"));
        } finally {
            first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        CliProcess second = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            int port = second.httpPort();
            String pods = get(port, "/api/pods");
            assertTrue(pods.contains("\"state\":\"open\""), "the engine restored it open: " + pods);
            assertEquals("1.0", breakerGauge(port), "the gauge as the engine: open");
            assertEquals(1, count("breaker-open"), "no new opening was written");
        } finally {
            second.process.destroy();
            second.process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void theSessionsAKillLeftLostPageNobodyAtTheNextStart() throws Exception {
        try (WebhookReceiver hook = new WebhookReceiver()) {
            Path cfg = Files.writeString(dir.resolve("runner.json"), """
                    {"runner": {"startJitterMs": 0, "globalConcurrency": 10}, "http": {"port": 0}, "browser": {"provider": "none"},
                     "session": {"command": ["/bin/sleep", "600"], "cooldownMs": 600000, "stopGraceMs": 500},
                     "alerts": {"webhooks": [{"url": "%s"}], "on": ["pause", "failureRate"],
                                "failureRate": {"thresholdPercent": 50, "windowMs": 300000, "minSessions": 10}},
                     "pods": [{"name": "podA", "concurrency": 10, "profiles": [%s]}]}
                    """.formatted(hook.url("/hook"), profiles(10)));
            CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
            try {
                first.httpPort();
                CliProcess.await("10 sessions run", 30_000, () -> count("start") == 10);
            } finally {
                first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }

            CliProcess second = CliProcess.start(dir, "run", "-c", cfg.toString());
            try {
                second.httpPort();
                CliProcess.await("each closed once as lost", 30_000, () -> EventLogReader.readAll(log()).stream()
                        .filter(e -> "lost".equals(e.params().get("reason"))).count() == 10);
                // a pause by hand is the next alert: one webhook sender delivers in order, so an
                // alert the lost sessions raised would arrive before it
                CliProcess.Result paused = CliProcess.run(dir, "pause", "p1", "-c", cfg.toString());
                assertEquals(0, paused.exitCode(), paused.err());
                WebhookReceiver.Request next = hook.next();
                assertTrue(next.body().contains("\"alert\":\"pause\""), "the first alert is the pause: " + next.body());
            } finally {
                second.process.destroy();
                second.process.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private static String profiles(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "{\"id\": \"p" + i + "\"}").collect(Collectors.joining(", "));
    }

    private Path log() {
        return dir.resolve("logs/events.jsonl");
    }

    private long count(String event) {
        try {
            return Files.exists(log()) ? EventLogReader.readAll(log()).stream().filter(e -> e.event().equals(event))
                    .count() : 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String breakerGauge(int port) {
        List<String> lines = get(port, "/metrics").lines()
                .filter(l -> l.startsWith("smartrunner_breaker_open{") && l.contains("pod=\"podA\"")).toList();
        assertEquals(1, lines.size(), lines.toString());
        return lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1);
    }

    private static String get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(path + ": " + e, e);
        }
    }
}
