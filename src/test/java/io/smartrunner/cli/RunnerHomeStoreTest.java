package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store the run command opens keeps what the config says. */
class RunnerHomeStoreTest {
    @TempDir
    Path dir;

    @Test
    void theStoreKeepsEachProfilesNewestSessionsAsConfigured() throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"runner\": {\"dataDir\": \"" + dir.resolve("data")
                + "\", \"eventLog\": \"" + dir.resolve("events.jsonl") + "\", \"sessionsKeptPerProfile\": 3}}");
        RunnerConfig cfg = ConfigLoader.load(config, Map.of());
        Instant t0 = Instant.parse("2026-12-04T10:00:00Z");
        try (StateStore store = RunnerHome.openStore(cfg)) {
            store.write(new StateWrite(List.of(ProfileState.fresh("p1", "pod")), List.of()));
            for (int i = 0; i < 10; i++) {
                SessionRecord s = new SessionRecord("s" + i, "p1", "pod", 10 + i, 20 + i, 10 + i, t0.plusSeconds(i),
                        SessionRecord.Status.RUNNING, null, null, null);
                store.write(new StateWrite(List.of(), List.of(s.ended(SessionRecord.Status.FAILED,
                        t0.plusSeconds(i).plusMillis(500), "exit", 1))));
            }
            assertEquals(List.of("s9", "s8", "s7"),
                    store.recentSessions("p1", 100).stream().map(SessionRecord::sessionId).toList());
        }
    }

    private static final String RUNNER_START = "{\"ts\":\"2026-12-07T07:40:33Z\",\"pod\":null,\"profileId\":null,"
            + "\"sessionId\":null,\"event\":\"runner-start\",\"type\":\"runner\",\"params\":{\"pid\":42,"
            + "\"profiles\":0,\"pods\":0},\"outcome\":\"ok\",\"durMs\":null}\n";
    private static final String RUNNER_STOP = "{\"ts\":\"2026-12-07T07:40:38Z\",\"pod\":null,\"profileId\":null,"
            + "\"sessionId\":null,\"event\":\"runner-stop\",\"type\":\"runner\",\"params\":{\"pid\":42,"
            + "\"ranForMs\":5000,\"sessionsStopped\":0},\"outcome\":\"ok\",\"durMs\":null}\n";
    private static final String PAUSE = "{\"ts\":\"2026-12-07T07:40:40Z\",\"pod\":\"podA\",\"profileId\":\"p1\","
            + "\"sessionId\":null,\"event\":\"pause\",\"type\":\"profile\",\"params\":{\"errorStreak\":0,"
            + "\"pausedUntil\":\"2099-01-01T00:00:00Z\",\"reason\":\"by hand\",\"by\":\"cli\",\"durationMs\":60000,"
            + "\"pauseCount\":0},\"outcome\":\"paused\",\"durMs\":null}\n";

    private RunnerConfig noProfiles() throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"runner\": {\"dataDir\": \"" + dir.resolve("data")
                + "\", \"eventLog\": \"" + dir.resolve("events.jsonl") + "\"}, \"pods\": []}");
        return ConfigLoader.load(config, Map.of());
    }

    private long backups() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("data"))) {
            return files.filter(p -> p.getFileName().toString().matches("state\\.db\\.bak-[0-9TZ]+")).count();
        }
    }

    /** Reviewer R16 F3: a runner with no profiles rebuilt its store at every start, three backup files each time. */
    @Test
    void aStoreWithoutProfilesIsNotRebuiltFromALogOfOnlyTheRunnersOwnEvents() throws Exception {
        RunnerConfig cfg = noProfiles();
        RunnerHome.openStore(cfg).close();
        Files.writeString(dir.resolve("events.jsonl"), (RUNNER_START + RUNNER_STOP).repeat(3));

        RunnerHome.rebuildIfLost(cfg.runner());
        RunnerHome.rebuildIfLost(cfg.runner());

        assertEquals(0, backups(), "a store that lost nothing is left as it is");
    }

    @Test
    void aStoreWithoutProfilesIsStillRebuiltWhenTheLogHoldsAProfilesEvent() throws Exception {
        RunnerConfig cfg = noProfiles();
        RunnerHome.openStore(cfg).close();
        Files.writeString(dir.resolve("events.jsonl"), RUNNER_START + PAUSE + RUNNER_STOP + RUNNER_START);

        RunnerHome.rebuildIfLost(cfg.runner());

        assertEquals(1, backups(), "the lost store is kept beside the rebuilt one");
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(dir.resolve("data/state.db"))) {
            assertTrue(store.loadProfiles().get("p1").paused(), "the pause in the log is back");
        }
    }
}
