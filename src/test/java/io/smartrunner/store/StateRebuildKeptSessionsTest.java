package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rebuilt store keeps as many sessions of each profile as the runner was told to, more than the default too. */
class StateRebuildKeptSessionsTest {
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void theRebuiltStoreKeepsTheConfiguredNumberNotTheDefault() throws Exception {
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            String session = "\"pod\":\"podA\",\"profileId\":\"p1\",\"sessionId\":\"s" + String.format("%04d", i) + "\"";
            log.append("{\"ts\":\"").append(T0.plusSeconds(i * 10L)).append("\",").append(session)
                    .append(",\"event\":\"start\",\"type\":\"session\",\"params\":{},\"outcome\":null,\"durMs\":null}\n");
            log.append("{\"ts\":\"").append(T0.plusSeconds(i * 10L + 2)).append("\",").append(session)
                    .append(",\"event\":\"finish\",\"type\":\"session\",\"params\":{\"exitCode\":0},\"outcome\":\"ok\","
                            + "\"durMs\":2000}\n");
        }
        Path events = Files.writeString(dir.resolve("events.jsonl"), log);
        Path db = dir.resolve("state.db");

        StateRebuild.rebuild(events, db, SqliteSynchronous.NORMAL, 1100, T0.plusSeconds(20_000));

        try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
            assertEquals(1100, store.recentSessions("p1", 5000).size());
            assertEquals("s1199", store.recentSessions("p1", 1).get(0).sessionId());
        }
    }
}
