package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real runner, real processes: a command ladder whose third step fixes what the session needs. */
@Tag("e2e")
class RecoveryLadderE2ETest {
    @TempDir
    Path dir;

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    @Test
    void twoStepsLeaveItUnhealthyTheThirdFixesItThenSessionsSucceedAndTheStreakResets() throws Exception {
        Path cfg = dir.resolve("ladder.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "eventLogFsync": "always"}, "http": {"port": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "test -f ready-{profileId} || { echo 'not ready' >&2; exit 4; }"],
                             "cooldownMs": 300},
                 "recovery": {"maxErrorStreak": 10, "retryBackoffMs": 200, "stepTimeoutMs": 5000,
                              "steps": [{"name": "clearCache", "command": ["/bin/true"]},
                                        {"name": "kick", "command": ["/bin/sh", "-c", "echo kicked {profileId}"]},
                                        {"name": "prepare", "command": ["/bin/sh", "-c", "touch ready-{profileId}"]}],
                              "verify": {"command": ["/bin/sh", "-c", "test -f ready-{profileId}"]}},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """);
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("a session succeeded after recovery", 30_000,
                () -> events().stream().anyMatch(e -> e.event().equals("finish")));
        runner.process.destroy();
        assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());

        List<EventRecord> all = events();
        List<String> recovers = all.stream().filter(e -> e.event().equals("recover"))
                .map(e -> e.params().get("action") + ":" + e.outcome()).toList();
        assertEquals(List.of("clearCache:unhealthy", "kick:unhealthy", "prepare:ok"), recovers);
        EventRecord error = all.stream().filter(e -> e.event().equals("error")).findFirst().orElseThrow();
        assertTrue(all.stream().filter(e -> e.event().equals("recover"))
                .allMatch(e -> e.sessionId().equals(error.sessionId())), "recover events carry the failed session");
        assertEquals(List.of("runner-start", "start", "error", "recover", "recover", "recover", "start", "finish"),
                all.stream().map(EventRecord::event).toList().subList(0, 8));
        assertTrue(Files.readString(dir.resolve("data/logs/p1.stdout.log")).contains("kicked p1"),
                "step output goes to the profile's log");

        CliProcess.Result status = CliProcess.run(dir, "status", "--json", "-c", cfg.toString());
        assertTrue(status.out().contains("\"errorStreak\" : 0"), status.out());
        assertTrue(status.out().contains("\"needsRecovery\" : false"), status.out());

        CliProcess.Result report = CliProcess.run(dir, "report", "--json", "-c", cfg.toString());
        assertEquals(0, report.exitCode(), report.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.out());
        assertEquals(1.0, json.at("/steps/prepare/successRate").asDouble());
        assertEquals(0.0, json.at("/steps/clearCache/successRate").asDouble());
        assertEquals(1, json.at("/pods/podA/recovered").asInt());
        assertTrue(json.at("/pods/podA/meanTimeToRecoveryMs").asDouble() > 0);
    }
}
