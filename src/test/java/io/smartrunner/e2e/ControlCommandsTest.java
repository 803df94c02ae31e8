package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's pause/unpause/reset/run-now/reload, with no runner (state store directly) and with one (its API). */
@Tag("e2e")
class ControlCommandsTest {
    @TempDir
    Path dir;

    private Path config(String profiles) throws IOException {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [%s]}]}""".formatted(profiles));
        return cfg;
    }

    private List<EventRecord> events() {
        return EventLogReader.readAll(dir.resolve("logs/events.jsonl"));
    }

    private CliProcess.Result cli(String... args) throws Exception {
        return CliProcess.run(dir, args);
    }

    @Test
    void withNoRunnerTheCommandsActOnTheStateStoreWithTheSameEvents() throws Exception {
        Path cfg = config("{\"id\": \"p1\"}, {\"id\": \"p2\"}");
        CliProcess.Result paused = cli("pause", "p1", "--for", "2h", "--reason", "vendor outage", "-c", cfg.toString());
        assertEquals(0, paused.exitCode(), paused.err());
        assertTrue(paused.out().contains("p1: paused until") && paused.out().contains("no runner running"), paused.out());
        EventRecord pause = events().get(events().size() - 1);
        assertEquals("pause", pause.event());
        assertEquals("cli", pause.params().get("by"));
        assertEquals("vendor outage", pause.params().get("reason"));
        assertEquals(7_200_000L, ((Number) pause.params().get("durationMs")).longValue());
        CliProcess.Result status = cli("status", "--json", "-c", cfg.toString());
        assertTrue(status.out().contains("\"paused\" : true"), status.out());

        CliProcess.Result again = cli("pause", "p1", "--for", "1h", "-c", cfg.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().startsWith("smart-runner: p1 is already paused until"), again.err());
        // reviewer R14: paused again for longer, the pause is made longer (never shorter)
        CliProcess.Result longer = cli("pause", "p1", "--for", "3h", "--reason", "longer", "-c", cfg.toString());
        assertEquals(0, longer.exitCode(), longer.err());
        assertEquals(10_800_000L, ((Number) events().get(events().size() - 1).params().get("durationMs")).longValue());
        assertEquals(0, cli("unpause", "p1", "-c", cfg.toString()).exitCode());
        assertEquals("unpause", events().get(events().size() - 1).event());
        assertEquals(0, cli("reset", "p2", "-c", cfg.toString()).exitCode());
        assertEquals("reset", events().get(events().size() - 1).event());

        CliProcess.Result ghost = cli("reset", "ghost", "-c", cfg.toString());
        assertEquals(2, ghost.exitCode());
        assertTrue(ghost.err().contains("no profile ghost in"), ghost.err());
        CliProcess.Result badDuration = cli("pause", "p1", "--for", "5 weeks", "-c", cfg.toString());
        assertEquals(2, badDuration.exitCode());
        assertTrue(badDuration.err().contains("--for: expected a duration"), badDuration.err());
        CliProcess.Result runNow = cli("run-now", "p1", "-c", cfg.toString());
        assertEquals(1, runNow.exitCode());
        assertTrue(runNow.err().contains("no runner is running"), runNow.err());
        CliProcess.Result reload = cli("reload", "-c", cfg.toString());
        assertEquals(1, reload.exitCode());
        assertTrue(reload.err().contains("is valid, but no runner is running"), reload.err());
        assertEquals(4, events().size(), "pause, the longer pause, unpause, reset and nothing else: " + events());
    }

    @Test
    void withARunnerTheCommandsGoThroughItsApiAndReloadRefusesABrokenFile() throws Exception {
        Path cfg = config("{\"id\": \"p1\"}, {\"id\": \"p2\"}");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("both first sessions", 20_000, () -> events().stream()
                    .filter(e -> e.event().equals("finish")).count() >= 2);
            CliProcess.Result paused = cli("pause", "p1", "--for", "1h", "-c", cfg.toString());
            assertEquals(0, paused.exitCode(), paused.err());
            assertTrue(paused.out().contains("told the running runner"), paused.out());
            assertTrue(events().stream().anyMatch(e -> e.event().equals("pause") && "cli".equals(e.params().get("by"))),
                    "the runner wrote the pause before it answered: " + events());

            CliProcess.Result runNow = cli("run-now", "p2", "-c", cfg.toString());
            assertEquals(0, runNow.exitCode(), runNow.err());
            CliProcess.await("p2 runs again inside its 10 min cooldown", 10_000, () -> events().stream()
                    .filter(e -> e.event().equals("start") && e.profileId().equals("p2")).count() == 2);
            CliProcess.Result refused = cli("unpause", "p2", "-c", cfg.toString());
            assertEquals(1, refused.exitCode());
            assertEquals("smart-runner: p2 is not paused", refused.err().strip());

            Files.writeString(cfg, Files.readString(cfg).replace("\"cooldownMs\": 600000", "\"cooldownMs\": \"soon\""));
            CliProcess.Result broken = cli("reload", "-c", cfg.toString());
            assertEquals(2, broken.exitCode());
            assertTrue(broken.err().contains("$.session.cooldownMs"), broken.err());
            assertTrue(broken.err().startsWith("smart-runner: reload refused, nothing was sent to a runner: "),
                    broken.err());
            assertEquals(1, broken.err().strip().lines().count(), broken.err());

            config("{\"id\": \"p1\"}, {\"id\": \"p3\"}");
            Files.writeString(cfg, Files.readString(cfg).replace("\"name\": \"podA\",", "\"name\": \"podA\", \"concurrency\": 1,"));
            CliProcess.Result reload = cli("reload", "-c", cfg.toString());
            assertEquals(0, reload.exitCode(), reload.err());
            assertTrue(reload.out().contains("added [\"p3\"], removed [\"p2\"], changed [], applied"
                    + " [\"pods[podA].concurrency from 8 to 1\"]"), reload.out());
            // nothing the runner does is silent: the reload, what it stopped and the limit it lowered are in the log
            EventRecord reloaded = events().stream().filter(e -> e.event().equals("reload")).findFirst().orElseThrow();
            assertEquals(java.util.Map.of("config", cfg.toAbsolutePath().normalize().toString(), "added", 1,
                    "removed", 1, "changed", 0, "removedIds", "p2", "applied", "pods[podA].concurrency from 8 to 1"),
                    java.util.Map.copyOf(reloaded.params()), reloaded.toString());
            CliProcess.await("p3 starts", 10_000, () -> events().stream()
                    .anyMatch(e -> e.event().equals("start") && "p3".equals(e.profileId())));
            // p2 back in the file, not reloaded: the runner has no p2, a refusal (exit 1), not "no profile" (exit 2)
            config("{\"id\": \"p1\"}, {\"id\": \"p2\"}, {\"id\": \"p3\"}");
            CliProcess.Result notReloaded = cli("pause", "p2", "-c", cfg.toString());
            assertEquals(1, notReloaded.exitCode(), notReloaded.err());
            assertEquals("smart-runner: p2: the running runner has no profile p2 (the file changed since it read it?"
                    + " 'smart-runner reload' tells it)", notReloaded.err().strip());
            // reviewer R10: an id neither the file nor the runner has is the user's mistake (exit 2), not the file's change
            CliProcess.Result unknown = cli("pause", "ZZ9", "-c", cfg.toString());
            assertEquals(2, unknown.exitCode(), unknown.err());
            assertEquals("smart-runner: no profile ZZ9 in " + cfg.toAbsolutePath().normalize() + " (nothing was done)",
                    unknown.err().strip());
            assertTrue(runner.process.isAlive());
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
        assertFalse(Files.exists(dir.resolve("data/http.port")), "the runner removes its port file when it stops");
    }

    /**
     * The file's runner.dataDir edited while the runner runs (to take effect at its next start):
     * the commands must not take the new, unlocked data dir for "no runner" and append to the
     * live event log behind the runner's back, nor a second runner share that log.
     */
    @Test
    void aFileWhoseDataDirChangedSinceTheRunnerStartedNeitherWritesItsLogNorStartsASecondRunnerOnIt() throws Exception {
        Path cfg = config("{\"id\": \"p1\"}");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("the first session", 20_000, () -> events().stream().anyMatch(e -> e.event().equals("finish")));
            Files.writeString(cfg, Files.readString(cfg).replace("\"startJitterMs\": 0", "\"startJitterMs\": 0, \"dataDir\": \"data2\""));
            long lines = events().size();
            String refusal = "logs/events.jsonl is written by another runner (pid " + runner.process.pid()
                    + ", runner.dataDir " + dir.resolve("data") + "), not one on " + dir.resolve("data2");

            CliProcess.Result pause = cli("pause", "p1", "-c", cfg.toString());
            assertEquals(1, pause.exitCode(), pause.out() + pause.err());
            assertTrue(pause.err().startsWith("smart-runner: " + refusal), pause.err());
            assertEquals(1, pause.err().strip().lines().count(), pause.err());
            CliProcess.Result reload = cli("reload", "-c", cfg.toString());
            assertEquals(1, reload.exitCode(), reload.out() + reload.err());
            assertTrue(reload.err().contains(refusal), reload.err());
            CliProcess.Result second = cli("run", "-c", cfg.toString());
            assertEquals(1, second.exitCode(), second.out() + second.err());
            assertTrue(second.err().contains(refusal), second.err());

            assertEquals(lines, events().stream().limit(lines).count());
            assertTrue(events().stream().noneMatch(e -> e.event().equals("pause") || e.event().equals("error")),
                    "nothing written behind the runner's back, no session of it closed as lost: " + events());
            assertFalse(Files.exists(dir.resolve("data2/state.db")), "no store made for the new data dir");
            assertTrue(runner.process.isAlive());
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
    }

    private Path twoPods() throws IOException {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]},
                          {"name": "podB", "profiles": [{"id": "q1"}]}]}""");
        return cfg;
    }

    private List<String> pausedBy(String event) {
        return events().stream().filter(e -> e.event().equals(event)).map(EventRecord::profileId).toList();
    }

    @Test
    void aWholePodOrSeveralProfilesAtOnceWithNoRunnerInOneWriteRefusalsSaidAndCounted() throws Exception {
        Path cfg = twoPods();

        CliProcess.Result pod = cli("pause", "--pod", "podA", "--for", "2h", "--reason", "site maintenance",
                "-c", cfg.toString());

        assertEquals(0, pod.exitCode(), pod.err());
        assertEquals(3, pod.out().lines().filter(l -> l.contains(": paused until") && l.contains("no runner running")).count(),
                pod.out());
        assertEquals("smart-runner: done for 3 of 3 profile(s) of pod podA", pod.err().strip());
        assertEquals(List.of("p1", "p2", "p3"), pausedBy("pause"));
        assertTrue(events().stream().allMatch(e -> "cli".equals(e.params().get("by"))
                && "site maintenance".equals(e.params().get("reason"))), events().toString());
        String status = cli("status", "--json", "-c", cfg.toString()).out();
        assertEquals(3, status.split("\"paused\" : true", -1).length - 1, status);

        CliProcess.Result some = cli("pause", "p1", "q1", "--for", "1h", "-c", cfg.toString());

        assertEquals(1, some.exitCode(), "one of two refused: " + some.err());
        assertTrue(some.err().contains("smart-runner: p1 is already paused until"), some.err());
        assertTrue(some.err().strip().endsWith("done for 1 of 2 profile(s); 1 refused (said above)"), some.err());
        assertTrue(some.out().startsWith("q1: paused until"), some.out());
        assertEquals(List.of("p1", "p2", "p3", "q1"), pausedBy("pause"));

        CliProcess.Result unpaused = cli("unpause", "--pod", "podA", "-c", cfg.toString());
        assertEquals(0, unpaused.exitCode(), unpaused.err());
        assertEquals(List.of("p1", "p2", "p3"), pausedBy("unpause"));
    }

    @Test
    void aBulkRequestWithAMistakeDoesNothingAndSaysWhatWasExpected() throws Exception {
        Path cfg = twoPods();

        CliProcess.Result typo = cli("pause", "p1", "ghost", "-c", cfg.toString());
        CliProcess.Result noPod = cli("pause", "--pod", "podC", "-c", cfg.toString());
        CliProcess.Result both = cli("reset", "p1", "--pod", "podA", "-c", cfg.toString());
        CliProcess.Result neither = cli("unpause", "-c", cfg.toString());

        assertEquals(2, typo.exitCode());
        assertTrue(typo.err().strip().startsWith("smart-runner: no profile ghost in ")
                && typo.err().strip().endsWith("(nothing was done)"), typo.err());
        assertEquals(2, noPod.exitCode());
        assertTrue(noPod.err().contains("--pod: no pod podC in ") && noPod.err().contains("expected one of [podA, podB]"),
                noPod.err());
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("give profile ids or --pod, not both"), both.err());
        assertEquals(2, neither.exitCode());
        assertTrue(neither.err().contains("expected a profile id (or several), or --pod POD"), neither.err());
        for (CliProcess.Result r : List.of(typo, noPod, both, neither)) {
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertFalse(Files.exists(dir.resolve("logs/events.jsonl")) && !events().isEmpty(), "nothing was done: " + events());
    }

    @Test
    void aWholePodThroughTheRunnersApi() throws Exception {
        Path cfg = twoPods();
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("every first session", 20_000, () -> events().stream()
                    .filter(e -> e.event().equals("finish")).count() >= 4);

            CliProcess.Result pod = cli("pause", "--pod", "podA", "--for", "1h", "-c", cfg.toString());

            assertEquals(0, pod.exitCode(), pod.err());
            assertEquals(3, pod.out().lines().filter(l -> l.contains("told the running runner")).count(), pod.out());
            assertEquals(List.of("p1", "p2", "p3"), pausedBy("pause"), "the runner wrote each pause before it answered");
            CliProcess.Result again = cli("unpause", "p2", "q1", "-c", cfg.toString());
            assertEquals(1, again.exitCode());
            assertTrue(again.err().contains("q1 is not paused"), again.err());
            assertEquals(List.of("p2"), pausedBy("unpause"));
            assertTrue(events().stream().filter(e -> e.event().equals("pause")).allMatch(e -> "cli".equals(e.params().get("by"))),
                    events().toString());

            // the pod as the runner has it, one request (its pod route): a profile the file gained since
            // the runner read it is said refused, and so is a pod it does not have; the others go on
            Files.writeString(cfg, Files.readString(cfg).replace("{\"id\": \"p3\"}", "{\"id\": \"p3\"}, {\"id\": \"p4\"}")
                    .replace("\"profiles\": [{\"id\": \"q1\"}]}", "\"profiles\": [{\"id\": \"q1\"}]}, {\"name\": \"podC\", \"profiles\": [{\"id\": \"r1\"}]}"));
            CliProcess.Result podAgain = cli("unpause", "--pod", "podA", "-c", cfg.toString());
            assertEquals(1, podAgain.exitCode(), podAgain.err());
            String told = "(told the running runner at 127.0.0.1:"
                    + Files.readString(dir.resolve("data/http.port")).strip() + ")";
            assertEquals(List.of("p1: not paused, error streak 0 " + told,
                    "p3: not paused, error streak 0 " + told), podAgain.out().lines().toList());
            assertEquals(List.of("smart-runner: p2 is not paused",
                    "smart-runner: p4: the running runner has no profile p4 in pod podA (the file changed since it read it?"
                            + " 'smart-runner reload' tells it)",
                    "smart-runner: done for 2 of 4 profile(s) of pod podA; 2 refused (said above)"), podAgain.err().lines().toList());
            assertEquals(List.of("p2", "p1", "p3"), pausedBy("unpause"));
            CliProcess.Result newPod = cli("pause", "--pod", "podC", "-c", cfg.toString());
            assertEquals(1, newPod.exitCode(), newPod.err());
            assertEquals("smart-runner: the running runner has no pod podC (the file changed since it read it?"
                    + " 'smart-runner reload' tells it); nothing was done", newPod.err().strip());

            // a profile added to the file, the runner not told (no reload): that one is refused, the others go on
            Files.writeString(cfg, Files.readString(cfg).replace("{\"id\": \"q1\"}", "{\"id\": \"q1\"}, {\"id\": \"q2\"}"));
            CliProcess.Result notReloaded = cli("reset", "q2", "q1", "-c", cfg.toString());
            assertEquals(1, notReloaded.exitCode(), notReloaded.err());
            assertTrue(notReloaded.err().contains("q2"), notReloaded.err());
            assertTrue(notReloaded.out().startsWith("q1: not paused, error streak 0 " + told),
                    notReloaded.out());
            assertTrue(notReloaded.err().strip().endsWith("done for 1 of 2 profile(s); 1 refused (said above)"),
                    notReloaded.err());
            assertTrue(runner.process.isAlive());
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRunnerWhoseApiDoesNotAnswerEndsABulkRequestAtTheFirstProfileNotOncePerProfile() throws Exception {
        Path cfg = twoPods();
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (io.smartrunner.store.DataDirLock held = io.smartrunner.store.DataDirLock.acquire(dir.resolve("data"))) {
            Files.writeString(dir.resolve("data/http.port"), deadPort + "\n");
            Files.writeString(dir.resolve("data/http.token"), "t\n");

            CliProcess.Result r = cli("pause", "--pod", "podA", "-c", cfg.toString());

            assertEquals(1, r.exitCode());
            assertEquals(1, r.err().strip().lines().count(), "one line, not one per profile: " + r.err());
            assertTrue(r.err().contains("does not answer"), r.err());
            assertEquals("", r.out());
        }
    }
}
