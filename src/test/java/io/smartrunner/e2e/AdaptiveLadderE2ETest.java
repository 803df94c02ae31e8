package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner, real processes, recovery.strategy adaptive: each session fails the same way
 * (its stderr differs only by pid) until the third step prepares it, and a success uses the
 * preparation up. After the first episode climbs the whole ladder, the next ones start at step 3.
 */
@Tag("e2e")
class AdaptiveLadderE2ETest {
    @TempDir
    Path dir;

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private List<EventRecord> recovered() {
        return events().stream().filter(e -> e.event().equals("recover") && "ok".equals(e.outcome())).toList();
    }

    /** Recovered episodes whose profile's next session finished. */
    private int heldAfterRecovery() {
        int held = 0;
        boolean recovered = false;
        for (EventRecord e : events()) {
            if (e.event().equals("recover") && "ok".equals(e.outcome())) {
                recovered = true;
            } else if (e.event().equals("finish") && recovered) {
                held++;
                recovered = false;
            }
        }
        return held;
    }

    @Test
    void aFailureOnlyStepThreeFixesStartsAtStepThreeAfterTheFirstEpisode() throws Exception {
        Path cfg = dir.resolve("adaptive.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "eventLogFsync": "always"}, "http": {"port": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c",
                     "if [ -f ready-{profileId} ]; then rm ready-{profileId}; else echo \\"worker $$: not ready\\" >&2; exit 4; fi"],
                             "cooldownMs": 100},
                 "recovery": {"maxErrorStreak": 10, "retryBackoffMs": 100, "stepTimeoutMs": 5000,
                              "strategy": "adaptive", "adaptive": {"explore": 0},
                              "steps": [{"name": "clearCache", "command": ["/bin/true"]},
                                        {"name": "kick", "command": ["/bin/sh", "-c", "echo kicked {profileId}"]},
                                        {"name": "prepare", "command": ["/bin/sh", "-c", "touch ready-{profileId}"]}],
                              "verify": {"command": ["/bin/sh", "-c", "test -f ready-{profileId}"]}},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """);
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        // a recovery is learned from when the next session tells whether it held: the third's too
        CliProcess.await("three recovered episodes, each followed by a session that held", 60_000,
                () -> heldAfterRecovery() >= 3);
        runner.process.destroy();
        assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());

        // the recover events per episode (by failed session), in order
        List<List<String>> episodes = new ArrayList<>();
        String session = null;
        for (EventRecord e : events()) {
            if (e.event().equals("recover")) {
                if (!e.sessionId().equals(session)) {
                    episodes.add(new ArrayList<>());
                    session = e.sessionId();
                }
                episodes.get(episodes.size() - 1).add(e.params().get("action") + ":" + e.outcome() + "@"
                        + e.params().get("startStep"));
            }
        }
        assertEquals(List.of("clearCache:unhealthy@1", "kick:unhealthy@1", "prepare:ok@1"), episodes.get(0));
        assertEquals(List.of("prepare:ok@3"), episodes.get(1), "the same failure starts where it was fixed");
        assertEquals(List.of("prepare:ok@3"), episodes.get(2));
        List<Object> signatures = recovered().stream().map(e -> e.params().get("signature")).distinct().toList();
        assertEquals(1, signatures.size(), "one signature, whatever the pid: " + signatures);
        assertTrue(String.valueOf(signatures.get(0)).startsWith("exit/4/"), signatures.toString());

        CliProcess.Result report = CliProcess.run(dir, "report", "--json", "-c", cfg.toString());
        assertEquals(0, report.exitCode(), report.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.out());
        var sig = json.path("signatures").path(String.valueOf(signatures.get(0)));
        assertEquals(3, sig.path("startStep").asInt(), report.out());
        assertEquals("prepare", sig.path("startAction").asText());
        assertEquals("exit", sig.path("reason").asText());
        assertEquals("4", sig.path("exit").asText());
        assertEquals(0.0, sig.at("/steps/clearCache/successRate").asDouble(), report.out());
        assertEquals(1.0, sig.at("/steps/prepare/successRate").asDouble(), report.out());
        assertTrue(sig.at("/steps/prepare/attempts").asDouble() > 2, report.out());

        CliProcess.Result text = CliProcess.run(dir, "report", "-c", cfg.toString());
        assertTrue(text.out().contains("reason exit, exit 4, START step 3 (prepare)"), text.out());
    }
}
