package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a real runner process over real HTTP: a profile that always fails runs
 * its sessions and recoveries until it is paused; the counters match the event log, the gauges
 * the fleet, and neither the API token nor an {@code ${env:...}} secret nor a profile id shows.
 */
@Tag("e2e")
class MetricsE2ETest {
    private static final String TOKEN = "http-token-" + UUID.randomUUID();
    private static final String SECRET = "env-secret-" + UUID.randomUUID();
    private static final String FAILING = "failing-7f3a";
    private static final String HEALTHY = "healthy-9c2e";

    @TempDir
    static Path dir;
    private static CliProcess runner;
    private static int port;

    @BeforeAll
    static void startRunnerAndWaitForThePause() throws Exception {
        Path cfg = dir.resolve("metrics.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0, "token": "%s"}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "echo \\"key=$API_KEY\\" >&2; exit 3"], "cooldownMs": 0,
                             "env": {"API_KEY": "${env:SR_METRICS_SECRET}"}},
                 "recovery": {"maxErrorStreak": 2, "retryBackoffMs": 0, "verify": "none",
                              "steps": [{"name": "kick", "command": ["/bin/true"]}]},
                 "pods": [{"name": "podA", "profiles": [{"id": "%s"}]},
                          {"name": "podB", "profiles": [{"id": "%s",
                             "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000}}]}]}"""
                .formatted(TOKEN, FAILING, HEALTHY));
        Files.setPosixFilePermissions(cfg, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        runner = CliProcess.start(dir, Map.of("SR_METRICS_SECRET", SECRET), "run", "-c", cfg.toString());
        port = runner.httpPort();
        CliProcess.await("the failing profile is paused and the healthy one finished", 30_000, () ->
                events().stream().anyMatch(e -> e.event().equals("pause"))
                        && events().stream().anyMatch(e -> e.event().equals("finish")));
    }

    @AfterAll
    static void stopRunner() throws Exception {
        runner.process.destroy();
        runner.process.waitFor(20, TimeUnit.SECONDS);
    }

    private static String err() {
        try {
            return runner.err();
        } catch (IOException e) {
            return "";
        }
    }

    private static List<EventRecord> events() {
        return EventLogReader.readAll(dir.resolve("logs/events.jsonl"));
    }

    private static long count(String event, String pod) {
        return events().stream().filter(e -> e.event().equals(event) && e.pod().equals(pod)).count();
    }

    private static String[] get(String path, String host, String method) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = raw.indexOf("\r\n\r\n");
            return new String[] {raw.substring(9, 12), raw.substring(0, split), raw.substring(split + 4)};
        }
    }

    private static String scrape() throws IOException {
        String[] r = get("/metrics", "127.0.0.1:" + port, "GET");
        assertEquals("200", r[0], r[1]);
        assertTrue(r[1].toLowerCase().contains("content-type: text/plain; version=0.0.4; charset=utf-8"), r[1]);
        return r[2];
    }

    private static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .orElse(-1.0);
    }

    @Test
    void failedSessionsRecoveriesAndPausesMatchTheEventLog() throws Exception {
        String failed = "smartrunner_sessions_failed_total{pod=\"podA\",reason=\"exit\"}";
        long logged = count("error", "podA");
        assertTrue(logged >= 3, "maxErrorStreak 2: the third failure pauses");
        CliProcess.await("the counter catches up with the log", 5_000, () -> {
            try {
                return value(scrape(), failed) >= logged;
            } catch (IOException e) {
                return false;
            }
        });
        String text = scrape();
        assertEquals(logged, value(text, failed), "the paused profile runs no more sessions:\n" + text);
        assertEquals(count("start", "podA"), value(text, "smartrunner_sessions_started_total{pod=\"podA\"}"));
        assertTrue(value(text, "smartrunner_sessions_finished_total{pod=\"podB\"}") >= 1, text);
        assertEquals(count("recover", "podA"),
                value(text, "smartrunner_recovery_attempts_total{outcome=\"ok\",step=\"kick\"}"), text);
        assertEquals(1, value(text, "smartrunner_pauses_total{by=\"runner\",pod=\"podA\"}"), text);
        assertEquals(logged, value(text, "smartrunner_session_duration_seconds_count{outcome=\"error\"}"), text);
        assertTrue(value(text, "smartrunner_event_log_write_seconds_count") >= 1, text);
        assertFalse(err().contains("event subscriber"), err());
    }

    @Test
    void profileGaugesCountTheFleetByState() throws Exception {
        String text = scrape();
        assertEquals(1, value(text, "smartrunner_profiles{state=\"paused\"}"), text);
        double all = 0;
        for (String state : List.of("paused", "running", "needs_recovery", "idle")) {
            all += value(text, "smartrunner_profiles{state=\"" + state + "\"}");
        }
        assertEquals(2, all, "each profile in exactly one state:\n" + text);
    }

    @Test
    void neitherTheTokenNorEnvSecretsNorProfileIdsAppear() throws Exception {
        String stderrLog = Files.readString(dir.resolve("data/logs/" + FAILING + ".stderr.log"));
        assertTrue(stderrLog.contains(SECRET), "the secret did reach the sessions: " + stderrLog);
        String text = scrape();
        assertFalse(text.contains(TOKEN), text);
        assertFalse(text.contains(SECRET), text);
        assertFalse(text.contains(FAILING) || text.contains(HEALTHY), text);
        assertFalse(text.contains("/devtools/"), text);
    }

    @Test
    void theTokenWrittenOutInAConfigOthersMayReadIsSaidAtTheStart() {
        assertTrue(err().contains(dir.resolve("metrics.json") + ": http.token is written out in a file other users of"
                + " this machine may read (rw-r--r--)"), err());
    }

    @Test
    void aHostNotOnTheAllowlistIsRefusedAndOnlyGetIsServed() throws Exception {
        assertEquals("403", get("/metrics", "127.0.0.1.evil.com", "GET")[0]);
        assertEquals("403", get("/metrics", "attacker.example:" + port, "GET")[0]);
        assertEquals("405", get("/metrics", "localhost:" + port, "POST")[0]);
        assertEquals("200", get("/metrics", "localhost:" + port, "GET")[0]);
    }
}
