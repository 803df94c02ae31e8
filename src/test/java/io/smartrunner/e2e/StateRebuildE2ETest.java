package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.event.EventLog;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.event.Params;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateRebuild;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state a real runner kept in SQLite equals the state rebuilt from its event log, for every
 * profile and field; and a zero-byte state.db next to that log no longer starts an empty fleet.
 */
@Tag("e2e")
class StateRebuildE2ETest {
    @TempDir
    Path dir;

    private Path config() throws IOException {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "eventLogMaxBytes": 8192, "eventLogKeep": 1000},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 100},
                 "recovery": {"maxErrorStreak": 2, "pauseDurationMs": 300, "retryBackoffMs": 0, "verify": "none",
                              "steps": [{"name": "kick", "command": ["/bin/true"]}]},
                 "pods": [{"name": "podA", "concurrency": 8, "profiles": [
                    {"id": "crash", "session": {"command": ["/bin/sh", "-c", "echo boom >&2; exit 3"]}},
                    {"id": "flaky", "session": {"command": ["/bin/sh", "-c", "[ $(( $(date +%N) % 2 )) = 0 ]"]}},
                    {"id": "fine"},
                    {"id": "held", "session": {"command": ["/bin/sh", "-c", "sleep 0.2"]}},
                    {"id": "reset", "session": {"command": ["/bin/sh", "-c", "exit 1"], "cooldownMs": 200}}]}]}
                """);
        return cfg;
    }

    private List<EventRecord> events() {
        return EventLog.readAll(dir.resolve("logs/events.jsonl"));
    }

    private long count(String profile, String event) {
        return events().stream().filter(e -> profile.equals(e.profileId()) && event.equals(e.event())).count();
    }

    private static Map<String, ProfileState> load(Path db) {
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
            return new TreeMap<>(store.loadProfiles());
        }
    }

    @Test
    void theRebuiltStateEqualsTheRunnersAndAZeroByteStoreIsRebuiltAtStart() throws Exception {
        Path cfg = config();
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("pauses, recoveries and successes", 60_000, () -> count("crash", "pause") >= 3
                    && count("crash", "unpause") >= 2 && count("crash", "recover") >= 1 && count("fine", "finish") >= 3
                    && count("held", "finish") >= 1);
            CliProcess.Result pause = CliProcess.run(dir, "pause", "held", "--for", "2h", "--reason", "vendor outage",
                    "-c", cfg.toString());
            assertEquals(0, pause.exitCode(), pause.err());
            CliProcess.await("reset has a streak", 20_000, () -> count("reset", "error") >= 2);
            CliProcess.Result reset = CliProcess.run(dir, "reset", "reset", "-c", cfg.toString());
            assertEquals(0, reset.exitCode(), reset.err());
            long crashes = count("crash", "error");
            CliProcess.await("more after the manual changes", 20_000, () -> count("crash", "error") > crashes + 2);
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, runner.process.exitValue(), runner.err());
        assertTrue(Files.exists(dir.resolve("logs/events.jsonl.2")), "the rebuild reads rotated files too");

        Map<String, ProfileState> kept = load(dir.resolve("data/state.db"));
        Path rebuiltDb = dir.resolve("rebuilt/state.db");
        Files.createDirectories(rebuiltDb.getParent());
        StateRebuild.Result result = StateRebuild.rebuild(dir.resolve("logs/events.jsonl"), rebuiltDb,
                SqliteSynchronous.NORMAL, Instant.now());
        Map<String, ProfileState> rebuilt = load(rebuiltDb);
        assertEquals(kept.keySet(), rebuilt.keySet());
        for (String id : kept.keySet()) {
            assertEquals(kept.get(id), rebuilt.get(id), "profile " + id);
        }
        ProfileState held = rebuilt.get("held");
        assertTrue(held.paused() && Duration.between(held.pausedAt(), held.pausedUntil()).equals(Duration.ofHours(2)),
                held.toString());
        assertTrue(rebuilt.get("crash").pauseCount() >= 3, rebuilt.get("crash").toString());
        assertEquals(0, result.openSessions());

        // a zero-byte state.db: the runner rebuilds it from the log, says so, and "held" stays paused
        Files.write(dir.resolve("data/state.db"), new byte[0]);
        long heldStarts = count("held", "start");
        CliProcess second = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("the runner is up", 30_000, () -> {
                try {
                    return second.err().contains("running 5 profile(s)");
                } catch (IOException e) {
                    return false;
                }
            });
            String err = second.err();
            assertEquals(1, err.lines().filter(l -> l.contains("rebuilt")).count(), err);
            assertTrue(err.contains("state store empty (0 bytes) but the event log is not: "), err);
            long before = count("fine", "finish");
            CliProcess.await("the fleet runs", 30_000, () -> count("fine", "finish") >= before + 3);
            CliProcess.Result status = CliProcess.run(dir, "status", "--json", "-c", cfg.toString());
            assertTrue(status.out().replaceAll("\\s", "").contains("\"profileId\":\"held\",\"pod\":\"podA\","
                    + "\"errorStreak\":0,\"flags\":{\"running\":false,\"needsRecovery\":false,\"paused\":true}"),
                    status.out());
        } finally {
            second.process.destroy();
            assertTrue(second.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(heldStarts, count("held", "start"), "the 2 h pause survived a zero-byte state.db");
        assertTrue(load(dir.resolve("data/state.db")).get("held").paused());
        assertTrue(Files.list(dir.resolve("data")).anyMatch(p -> p.getFileName().toString().startsWith("state.db.bak-")),
                "the old file is kept");
        assertFalse(events().stream().anyMatch(e -> "lost".equals(e.params().get("reason"))),
                "a runner that stopped cleanly left no session to close");
    }

    /** Every page of the store but its first (the header) overwritten: its tables' pages are gone. */
    private void damageStore() throws IOException {
        Path db = dir.resolve("data/state.db");
        for (String side : List.of("-wal", "-shm")) {
            Files.deleteIfExists(dir.resolve("data/state.db" + side));
        }
        byte[] bytes = Files.readAllBytes(db);
        java.util.Random random = new java.util.Random(7);
        byte[] noise = new byte[bytes.length - 4096];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, bytes, 4096, noise.length);
        Files.write(db, bytes);
    }

    @Test
    void aDamagedStoreIsRebuiltAtStartAndWithNoLogTheStartStopsInOneLine() throws Exception {
        Path cfg = dir.resolve("small.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 100},
                 "pods": [{"name": "podA", "profiles": [{"id": "fine"}, {"id": "held"}]}]}
                """);
        CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            first.httpPort();
            CliProcess.Result pause = CliProcess.run(dir, "pause", "held", "--for", "2h", "-c", cfg.toString());
            assertEquals(0, pause.exitCode(), pause.err());
            CliProcess.await("sessions ran", 20_000, () -> count("fine", "finish") >= 3);
        } finally {
            first.process.destroy();
            assertTrue(first.process.waitFor(30, TimeUnit.SECONDS));
        }
        long heldStarts = count("held", "start");
        damageStore();

        CliProcess second = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            second.httpPort();
            String err = second.err();
            assertTrue(err.lines().anyMatch(l -> l.contains("state store damaged (")
                    && l.contains("but the event log is not: ") && l.contains("rebuilt 2 profile(s)")), err);
            long before = count("fine", "finish");
            CliProcess.await("the fleet runs on the rebuilt store", 20_000, () -> count("fine", "finish") >= before + 2);
        } finally {
            second.process.destroy();
            assertTrue(second.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, second.process.exitValue(), second.err());
        assertEquals(heldStarts, count("held", "start"), "the 2 h pause survived the damage");
        assertTrue(load(dir.resolve("data/state.db")).get("held").paused());
        assertTrue(Files.list(dir.resolve("data")).anyMatch(p -> p.getFileName().toString().startsWith("state.db.bak-")),
                "the damaged file is kept");

        // damaged again, and no event log to rebuild from: the start stops, in one line
        damageStore();
        for (Path p : io.smartrunner.event.EventLogFiles.oldestFirst(dir.resolve("logs/events.jsonl"))) {
            Files.deleteIfExists(p);
        }
        CliProcess.Result refused = CliProcess.run(dir, "run", "-c", cfg.toString());
        assertEquals(1, refused.exitCode(), refused.err());
        List<String> lines = refused.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), refused.err());
        assertTrue(lines.get(0).contains("state.db: damaged (") && lines.get(0).contains("nothing to rebuild it from"),
                lines.get(0));
    }

    @Test
    void aSessionOpenInTheLogIsClosedOnceAsLostAfterARebuildAndTheCommandRefusesWhileARunnerRuns()
            throws Exception {
        Path cfg = dir.resolve("long.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "eventLogFsync": "always"}, "http": {"port": 0},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "echo $$ > child.pid; exec sleep 1000"],
                             "cooldownMs": 600000, "stopGraceMs": 500},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """);
        CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("the session started", 20_000, () -> count("p1", "start") == 1
                && Files.exists(dir.resolve("child.pid")));
        CliProcess.Result refused = CliProcess.run(dir, "rebuild-state", "-c", cfg.toString());
        assertEquals(1, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("a runner is using this data dir"), refused.err());
        first.process.destroyForcibly();
        assertTrue(first.process.waitFor(10, TimeUnit.SECONDS));
        CliProcess.await("the child wrote its pid", 10_000, () -> {
            try {
                return Files.readString(dir.resolve("child.pid")).endsWith("\n");
            } catch (IOException e) {
                return false;
            }
        });
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).strip());

        Files.write(dir.resolve("data/state.db"), new byte[0]);
        for (String side : List.of("-wal", "-shm")) {
            Files.deleteIfExists(dir.resolve("data/state.db" + side));
        }
        CliProcess.Result rebuilt = CliProcess.run(dir, "rebuild-state", "-c", cfg.toString());
        assertEquals(0, rebuilt.exitCode(), rebuilt.err());
        assertTrue(rebuilt.out().contains("rebuilt 1 profile(s)") && rebuilt.out().contains("1 session(s) without an end"),
                rebuilt.out());

        CliProcess second = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("the open session closed as lost", 20_000, () -> events().stream()
                    .anyMatch(e -> "lost".equals(e.params().get("reason"))));
            CliProcess.await("the orphan stopped", 10_000,
                    () -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
        } finally {
            second.process.destroy();
            assertTrue(second.process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(1, events().stream().filter(e -> "lost".equals(e.params().get("reason"))).count());
        assertFalse(second.err().contains("rebuilt"), "the store was not empty any more: " + second.err());
    }

    /**
     * It reads the log and writes state.db: the runner's secrets and programs are not its business
     * (it refused to run without the http.token's variable set, as import-state did, reviewer R12 F4).
     */
    @Test
    void aRebuildNeedsNoneOfTheRunnersSecretsNorItsPrograms() throws Exception {
        Path cfg = dir.resolve("secrets.json");
        Files.writeString(cfg, """
                {"http": {"port": 0, "token": "${env:SR_R12_TOKEN}"}, "browser": {"provider": "none"},
                 "session": {"command": ["/opt/sr-worker/bin/worker"], "env": {"API_KEY": "${env:SR_R12_API_KEY}"}},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """);
        Instant t = Instant.parse("2026-01-08T10:30:00Z");
        try (JsonlEventSink log = JsonlEventSink.open(dir.resolve("logs/events.jsonl"), FsyncPolicy.NEVER, 1000)) {
            log.append(List.of(Events.sessionStarted(t, "podA", "p1", "s1", "/opt/sr-worker/bin/worker"),
                    Events.sessionFailed(t.plusSeconds(1), "podA", "p1", "s1", Params.of(Map.of("reason", "exit")), 3L)));
        }

        CliProcess.Result rebuilt = CliProcess.run(dir, "rebuild-state", "-c", cfg.toString());

        assertEquals(0, rebuilt.exitCode(), rebuilt.out() + rebuilt.err());
        assertTrue(rebuilt.out().contains("rebuilt 1 profile(s)"), rebuilt.out());
    }

    @Test
    void inClusterModeTheCommandRefusesInOneLineAndChangesNothing() throws Exception {
        Path cfg = dir.resolve("fleet.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "jdbc:postgresql://127.0.0.1:1/fleet", "user": "sr"},
                 "session": {"command": ["/bin/true"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """);
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/state.db"), "kept as it is");
        CliProcess.Result refused = CliProcess.run(dir, "rebuild-state", "-c", cfg.toString());
        assertEquals(1, refused.exitCode(), refused.err());
        List<String> lines = refused.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), refused.err());
        assertTrue(lines.get(0).contains("fleet.json: store.kind is \"postgres\"")
                && lines.get(0).contains("nothing was changed"), lines.get(0));
        assertEquals("kept as it is", Files.readString(dir.resolve("data/state.db")));
        try (var files = Files.list(dir.resolve("data"))) {
            assertEquals(List.of("state.db"), files.map(f -> f.getFileName().toString()).toList());
        }
    }
}
