package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
}
