package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.testkit.SmallTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rebuild-state} on a log edited by hand, and on a disk that fills up under it. */
class StateRebuildOddInputTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aPauseWhosePausedUntilIsNotAnInstantEndsAtItsDurationAndTheSummarySaysSo() throws Exception {
        Path events = Files.writeString(dir.resolve("events.jsonl"),
                pause("p1", "next tuesday") + pause("p2", T0.plusSeconds(600).toString()));
        Path db = dir.resolve("state.db");

        StateRebuild.Result result = StateRebuild.rebuild(events, db, SqliteSynchronous.NORMAL, T0.plusSeconds(1));

        assertTrue(result.summary().contains("(1 pause(s) whose params.pausedUntil is not an ISO-8601 instant end at"
                + " their ts + durationMs instead)"), result.summary());
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
            assertEquals(T0.plusSeconds(60), store.loadProfiles().get("p1").pausedUntil());
            assertEquals(T0.plusSeconds(600), store.loadProfiles().get("p2").pausedUntil());
        }
    }

    /** It used to leave a half-written state.db.rebuild behind on the full disk. */
    @Test
    void aRebuildThatFillsTheDiskLeavesTheOldStateAsItWasAndNoHalfWrittenCopy() throws Exception {
        try (SmallTmpfs small = SmallTmpfs.mount(dir.resolve("small"), 1)) {
            Path db = small.dir().resolve("state.db");
            StateRebuild.rebuild(Files.writeString(dir.resolve("one.jsonl"), pause("p1", T0.plusSeconds(60).toString())),
                    db, SqliteSynchronous.NORMAL, T0);
            byte[] before = Files.readAllBytes(db);

            StringBuilder big = new StringBuilder();
            for (int i = 0; i < 20_000; i++) {
                big.append(pause("profile-with-a-long-name-" + i, T0.plusSeconds(60).toString()));
            }
            Path events = Files.writeString(dir.resolve("big.jsonl"), big);

            assertThrows(RuntimeException.class, () -> StateRebuild.rebuild(events, db, SqliteSynchronous.NORMAL, T0));

            try (var left = Files.list(small.dir())) {
                java.util.List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(names.stream().noneMatch(n -> n.contains(".rebuild")),
                        "no state.db.rebuild (or its -wal, -shm) left on the full disk: " + names);
            }
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(db)), "the old state file is untouched");
            try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
                assertTrue(store.loadProfiles().get("p1").paused());
                assertFalse(store.loadProfiles().containsKey("profile-with-a-long-name-0"));
            }
        }
    }

    private static String pause(String profile, String until) {
        return "{\"ts\":\"" + T0 + "\",\"pod\":\"podA\",\"profileId\":\"" + profile + "\",\"sessionId\":null,"
                + "\"event\":\"pause\",\"type\":\"profile\",\"params\":{\"errorStreak\":0,\"pausedUntil\":\"" + until
                + "\",\"reason\":\"by hand\",\"by\":\"cli\",\"durationMs\":60000,\"pauseCount\":0},"
                + "\"outcome\":\"paused\",\"durMs\":null}\n";
    }
}
