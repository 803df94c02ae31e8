package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12.2 with the real runner, real processes and a real local site: 50 profiles whose
 * sessions fetch http://127.0.0.1:port/ with {@code curl -fsS}; the site answers 503 for a while
 * (the "two minutes" of the issue, scaled: window 10 s, probe interval 5 s, outage 30 s). With the
 * breaker no profile is paused, it opens within one window, closes within one probe interval of the
 * site's return (plus the probe's own run), and the pod is back to full rate. The figures for the
 * side-by-side of bench/outage/run.sh are printed as "FIGURE ..." lines; the runs with the breaker
 * off are tagged slow: they run in bench/outage/run.sh (-DexcludedGroups=none), not in every CI run.
 */
@Tag("e2e")
class OutageE2ETest {
    static final int PROFILES = 50;
    static final long WINDOW_MS = 10_000;
    static final long PROBE_MS = 5_000;
    static final long OUTAGE_MS = Long.getLong("outage.ms", 30_000);
    /** The probe's own run and the runner's turn, on a machine shared with other work. */
    static final long SLACK_MS = 2_000;
    static final long RATE_WINDOW_MS = 8_000;

    @TempDir
    Path dir;

    /** A site that answers 200, or 503 while it is "down". */
    static final class Site implements AutoCloseable {
        final HttpServer server;
        volatile boolean down;

        Site() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            server.createContext("/", exchange -> {
                byte[] body = (down ? "down" : "ok").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(down ? 503 : 200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** What one outage run measured. */
    record Figures(String label, long pausedProfiles, Long openedAfterMs, Long closedAfterMs, double ratePerSecBefore,
                   double ratePerSecAfter, long openings, long sharedErrors, long profileErrors) {
        String line() {
            return "FIGURE " + label + ": profiles paused " + pausedProfiles + " of " + PROFILES
                    + ", breaker opened " + (openedAfterMs == null ? "never" : openedAfterMs + " ms after the outage began")
                    + ", closed " + (closedAfterMs == null ? "never" : closedAfterMs + " ms after the site returned")
                    + ", openings " + openings + ", errors profile/shared " + profileErrors + "/" + sharedErrors
                    + String.format(", sessions/s before %.1f after %.1f", ratePerSecBefore, ratePerSecAfter);
        }
    }

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private static long count(List<EventRecord> log, String kind) {
        return log.stream().filter(e -> e.event().equals(kind)).count();
    }

    private static double rate(List<EventRecord> log, Instant from, Instant to) {
        long n = log.stream().filter(e -> e.event().equals("finish") && !e.ts().isBefore(from) && e.ts().isBefore(to))
                .count();
        return n * 1000.0 / Duration.between(from, to).toMillis();
    }

    Figures run(String label, String breaker) throws Exception {
        try (Site site = new Site()) {
            String profiles = IntStream.range(0, PROFILES).mapToObj(i -> "{\"id\": \"p" + i + "\"}")
                    .collect(Collectors.joining(", "));
            Path cfg = dir.resolve("outage.json");
            Files.writeString(cfg, """
                    {"runner": {"startJitterMs": 0, "globalConcurrency": %d, "eventLogFsync": "never"},
                     "http": {"port": 0}, "browser": {"provider": "none"},
                     "session": {"command": ["curl", "-fsS", "--max-time", "2", "-o", "/dev/null", "%s"],
                                 "cooldownMs": 1000},
                     "recovery": {"maxErrorStreak": 3, "steps": [], "verify": "none"},
                     "breaker": %s,
                     "pods": [{"name": "podA", "profiles": [%s]}]}
                    """.formatted(PROFILES, site.url(), breaker, profiles));
            CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
            try {
                CliProcess.await("every profile ran 3 sessions", 90_000, () -> events().stream()
                        .filter(e -> e.event().equals("finish")).collect(Collectors.groupingBy(EventRecord::profileId,
                                Collectors.counting())).values().stream().filter(n -> n >= 3).count() == PROFILES);
                Instant steady = Instant.now();
                CliProcess.await("a rate window of steady running", 30_000,
                        () -> Duration.between(steady, Instant.now()).toMillis() >= RATE_WINDOW_MS);
                Instant down = Instant.now();
                site.down = true;
                String whileOpen = breaker.contains("\"enabled\": true") ? shownWhileOpen(runner.httpPort()) : "";
                // the outage itself is what the scenario is about: real time passes
                Thread.sleep(Math.max(0, OUTAGE_MS - Duration.between(down, Instant.now()).toMillis()));
                site.down = false;
                Instant back = Instant.now();
                Instant[] closed = {null};
                if (breaker.contains("\"enabled\": true")) {
                    CliProcess.await("the breaker closed after the site returned", 60_000, () -> {
                        closed[0] = events().stream().filter(e -> e.event().equals("breaker-close")
                                && e.ts().isAfter(back)).map(EventRecord::ts).findFirst().orElse(null);
                        return closed[0] != null;
                    });
                }
                Instant from = (closed[0] != null ? closed[0] : back).plusMillis(1000);
                // wall time, not events: with every profile paused nothing more is written
                CliProcess.await("a rate window after the return", 60_000,
                        () -> Instant.now().isAfter(from.plusMillis(RATE_WINDOW_MS + 500)));
                List<EventRecord> log = events();
                Instant opened = log.stream().filter(e -> e.event().equals("breaker-open") && e.ts().isAfter(down))
                        .map(EventRecord::ts).findFirst().orElse(null);
                long paused = log.stream().filter(e -> e.event().equals("pause")).map(EventRecord::profileId).distinct()
                        .count();
                long stillPaused = pausedNow(log);
                Figures f = new Figures(label, stillPaused, opened == null ? null
                        : Duration.between(down, opened).toMillis(), closed[0] == null ? null
                        : Duration.between(back, closed[0]).toMillis(), rate(log, steady, down),
                        rate(log, from, from.plusMillis(RATE_WINDOW_MS)), count(log, "breaker-open"),
                        errors(log, "shared"), errors(log, "profile"));
                System.out.println(f.line() + " (profiles ever paused " + paused + ")" + whileOpen);
                return f;
            } finally {
                runner.process.destroy();
                runner.process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Once the breaker opened (within the outage): what GET /api/pods and /metrics show, e.g.
     * " | while open: breaker open, smartrunner_breaker_open 1".
     */
    private String shownWhileOpen(int port) throws Exception {
        CliProcess.await("the breaker opened", OUTAGE_MS, () -> count(events(), "breaker-open") > 0);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String token = Files.readString(dir.resolve("data/http.token")).strip();
        String pods = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/api/pods")).header("Authorization", "Bearer " + token).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/metrics")).header("Authorization", "Bearer " + token).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        com.fasterxml.jackson.databind.JsonNode pod = new com.fasterxml.jackson.databind.ObjectMapper().readTree(pods)
                .get(0);
        assertEquals("open", pod.get("breaker").get("state").asText(), pods);
        assertEquals(0, pod.get("autoPaused").asInt(), "the breaker unpaused what it forgave: " + pods);
        String gauge = metrics.lines().filter(l -> l.startsWith("smartrunner_breaker_open{pod=\"podA\"}")).findFirst()
                .orElse("no gauge");
        assertTrue(gauge.endsWith(" 1.0") || gauge.endsWith(" 1"), gauge);
        return " | while open: /api/pods breaker " + pod.get("breaker") + ", " + gauge;
    }

    private static long errors(List<EventRecord> log, String failureClass) {
        return log.stream().filter(e -> e.event().equals("error") && failureClass.equals(e.params().get("class")))
                .count();
    }

    /** Profiles whose last pause/unpause event is a pause. */
    private static long pausedNow(List<EventRecord> log) {
        java.util.Map<String, Boolean> paused = new java.util.HashMap<>();
        for (EventRecord e : log) {
            if (e.event().equals("pause")) {
                paused.put(e.profileId(), true);
            } else if (e.event().equals("unpause")) {
                paused.put(e.profileId(), false);
            }
        }
        return paused.values().stream().filter(b -> b).count();
    }

    /** One pod whose sessions curl the site, default breaker, no ladder, maxErrorStreak 3. */
    private Path podOnSite(String file, Site site, int cooldownMs, String pod, String profiles) throws IOException {
        return Files.writeString(dir.resolve(file), """
                {"runner": {"startJitterMs": 0, "eventLogFsync": "never"},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["curl", "-fsS", "--max-time", "2", "-o", "/dev/null", "%s"],
                             "cooldownMs": %d},
                 "recovery": {"maxErrorStreak": 3, "steps": [], "verify": "none"},
                 "pods": [{"name": "%s", "profiles": [%s]}]}
                """.formatted(site.url(), cooldownMs, pod, profiles));
    }

    static String breaker(boolean enabled, double maxPausedShare) {
        return ("{\"enabled\": %s, \"windowMs\": %d, \"probeIntervalMs\": %d, \"minProfiles\": 5,"
                + " \"failureRatio\": 0.5, \"maxPausedShare\": %s}").formatted(enabled, WINDOW_MS, PROBE_MS,
                maxPausedShare);
    }

    @Test
    void aSiteOutagePausesNobodyOpensTheBreakerAndTheFleetComesBackAtFullRate() throws Exception {
        Figures f = run("breaker on", breaker(true, 0.1));
        assertEquals(0, f.pausedProfiles(), f.line());
        assertEquals(1, f.openings(), "one opening for one outage: " + f.line());
        assertTrue(f.openedAfterMs() != null && f.openedAfterMs() <= WINDOW_MS, "opens within one window: " + f.line());
        assertTrue(f.closedAfterMs() != null && f.closedAfterMs() <= PROBE_MS + SLACK_MS,
                "closes within one probe interval of the site's return: " + f.line());
        assertTrue(f.sharedErrors() > 0, f.line());
        assertTrue(f.ratePerSecAfter() >= 0.5 * f.ratePerSecBefore(),
                "back to full rate (a probe per interval would be " + 1000.0 / PROBE_MS + "/s): " + f.line());
    }

    /**
     * Reviewer R15: at the default window (60 s), after a healthy spell, a whole pod of 6 failing
     * for 40 s brought the window's ratio to 0.495 and never opened the breaker; 48 failures
     * counted as the profiles' own. Ten failures in a row across five profiles open it within
     * seconds; what they added to the streaks is taken back. Real runner, curl children, a site.
     */
    @Test
    void aWholePodOutageAfterAHealthySpellOpensTheBreakerAtTheDefaultWindowWithinSeconds() throws Exception {
        try (Site site = new Site()) {
            String profiles = IntStream.range(0, 6).mapToObj(i -> "{\"id\": \"q" + i + "\"}")
                    .collect(Collectors.joining(", "));
            Path cfg = podOnSite("six.json", site, 300, "podA", profiles);
            CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
            try {
                CliProcess.await("a healthy spell: 60 sessions", 60_000, () -> count(events(), "finish") >= 60);
                Instant down = Instant.now();
                site.down = true;
                CliProcess.await("the breaker opened", 30_000, () -> count(events(), "breaker-open") > 0);
                List<EventRecord> log = events();
                EventRecord opened = log.stream().filter(e -> e.event().equals("breaker-open")).findFirst().orElseThrow();
                long ownBefore = log.stream().filter(e -> e.event().equals("error") && e.ts().isBefore(opened.ts())
                        && "profile".equals(e.params().get("class"))).count();
                String seen = "opened " + Duration.between(down, opened.ts()).toMillis() + " ms into the outage, "
                        + ownBefore + " failures counted as the profiles' own before it: " + opened;
                System.out.println("FIGURE pod of 6, default window: " + seen);
                assertTrue(((Number) opened.params().get("inARow")).intValue() >= 10, seen);
                assertTrue(((Number) opened.params().get("ratio")).doubleValue() < 0.5,
                        "the window's ratio alone would not have opened it yet: " + seen);
                assertEquals(0, count(log, "pause"), seen);
                long takenBack = log.stream().filter(e -> e.event().equals("reset") && "breaker".equals(e.params().get("by")))
                        .count();
                assertTrue(takenBack >= 5, "the streaks the outage added are taken back: " + takenBack + "; " + seen);
            } finally {
                runner.process.destroy();
                runner.process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Reviewer R10: a pod of 3 cannot open its breaker, and a 40 s outage of the site its profiles
     * use paused one of them for 24 h. Now the pause, made while the two others failed too, ends
     * when the site is back and one of them succeeds. Real runner, real curl children, a real site;
     * the outage lasts until the pause is made.
     */
    @Test
    void aSmallPodsOutagePauseEndsWhenTheSiteIsBack() throws Exception {
        try (Site site = new Site()) {
            Path cfg = podOnSite("small.json", site, 200, "small",
                    "{\"id\": \"s1\"}, {\"id\": \"s2\"}, {\"id\": \"s3\"}");
            CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
            try {
                CliProcess.await("each profile ran a session", 60_000, () -> events().stream()
                        .filter(e -> e.event().equals("finish")).map(EventRecord::profileId).distinct().count() == 3);
                site.down = true;
                CliProcess.await("the outage paused a profile", 60_000, () -> count(events(), "pause") > 0);
                site.down = false;

                CliProcess.await("the pause ended when the site came back", 60_000, () -> count(events(), "unpause") > 0);

                List<EventRecord> log = events();
                EventRecord pause = log.stream().filter(e -> e.event().equals("pause")).findFirst().orElseThrow();
                EventRecord unpause = log.stream().filter(e -> e.event().equals("unpause")).findFirst().orElseThrow();
                assertEquals(pause.profileId(), unpause.profileId());
                assertEquals("pod-recovered", unpause.params().get("by"), unpause.toString());
                assertEquals(0, pausedNow(log), "nobody is left paused: " + log.stream().filter(e -> e.event()
                        .equals("pause")).toList());
                CliProcess.await("the lifted profile runs again", 60_000, () -> events().stream().anyMatch(e ->
                        e.event().equals("finish") && e.profileId().equals(pause.profileId()) && e.ts().isAfter(unpause.ts())));
            } finally {
                runner.process.destroy();
                runner.process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The seed's policy, for bench/outage's side-by-side figure (tag slow: bench only, never skipped in CI). */
    @Test
    @Tag("slow")
    void theSameOutageWithoutTheBreakerForTheSideBySide() throws Exception {
        run("breaker off, no pause cap (the seed's policy)", breaker(false, 1.0));
    }

    /** The pause cap alone, for bench/outage (tag slow: bench only). */
    @Test
    @Tag("slow")
    void theSameOutageWithOnlyThePauseCap() throws Exception {
        run("breaker off, maxPausedShare 0.1", breaker(false, 0.1));
    }
}
