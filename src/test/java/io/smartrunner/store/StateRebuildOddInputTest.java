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

    /** event-log.md: a malformed line is skipped, never silently; the summary said nothing of them. */
    @Test
    void theSummaryCountsMalformedLinesAndNamesTheFirstAndATornTail() throws Exception {
        Path events = dir.resolve("events.jsonl");
        Files.writeString(dir.resolve("events.jsonl.2"), pause("p1", T0.plusSeconds(60).toString()).repeat(4)
                + "garbage\nnot json either\n{\"no\": \"event\"}\n");
        Files.writeString(dir.resolve("events.jsonl.1"), pause("p2", T0.plusSeconds(60).toString()));
        Files.writeString(events, pause("p3", T0.plusSeconds(60).toString()) + "{\"ts\":\"2026-12");

        StateRebuild.Result result = StateRebuild.rebuild(events, dir.resolve("state.db"), SqliteSynchronous.NORMAL, T0);

        assertTrue(result.summary().contains("skipped 3 malformed line(s) (first at events.jsonl.2 line 5)"),
                result.summary());
        assertTrue(result.summary().contains("a torn last line (14 bytes) of events.jsonl left out"), result.summary());
        assertEquals(3, result.profiles(), result.summary());
    }

    /** A newer runner's store must not be replaced by an older runner's rebuild: run, status and pause refuse it too. */
    @Test
    void aStoreOfANewerSchemaIsRefusedUntouched() throws Exception {
        Path events = Files.writeString(dir.resolve("events.jsonl"), pause("p1", T0.plusSeconds(60).toString()));
        Path db = dir.resolve("state.db");
        StateRebuild.rebuild(events, db, SqliteSynchronous.NORMAL, T0);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_version (version, name) VALUES (" + (SqliteMigrations.LATEST + 1)
                    + ", 'from a newer runner')");
        }
        byte[] before = Files.readAllBytes(db);

        StoreException e = assertThrows(StoreException.class,
                () -> StateRebuild.rebuild(events, db, SqliteSynchronous.NORMAL, T0.plusSeconds(1)));

        assertEquals(db + ": schema version " + (SqliteMigrations.LATEST + 1) + " is newer than this runner understands"
                + " (max " + SqliteMigrations.LATEST + "); a newer runner's store is not replaced by an older one's"
                + " rebuild: nothing was changed", e.getMessage());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(db)));
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".bak-")), "no backup made");
        }
        assertFalse(StateRebuild.check(db).wantsRebuild(), "run leaves it to the open, which refuses it");
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

    /**
     * A {@code lost} line written before failure classes existed counted towards the streak it
     * logs, so it also left the profile needing recovery (as the migrated store kept it); today's
     * rule for a lost session (the runner's, not the profile's) must not be applied to half of it.
     */
    @Test
    void aLostLineFromBeforeFailureClassesIsReplayedAsItWasCounted() throws Exception {
        Path events = Files.writeString(dir.resolve("events.jsonl"),
                start("old", "s1") + failed("old", "s1", "lost", null, 1)
                        + start("new", "s2") + failed("new", "s2", "lost", "infrastructure", 0)
                        + start("uncounted", "s3") + failed("uncounted", "s3", "lost", null, 0));

        StateRebuild.rebuild(events, dir.resolve("state.db"), SqliteSynchronous.NORMAL, T0.plusSeconds(5));

        try (SqliteStateStore store = SqliteStateStore.openReadOnly(dir.resolve("state.db"))) {
            var old = store.loadProfiles().get("old");
            assertEquals(1, old.errorStreak());
            assertTrue(old.needsRecovery(), "a counted pre-class failure leaves the profile needing recovery");
            assertFalse(store.loadProfiles().get("new").needsRecovery(), "a logged class is followed");
            assertFalse(store.loadProfiles().get("uncounted").needsRecovery(), "a pre-class line that did not count");
        }
    }

    private static String start(String profile, String session) {
        return "{\"ts\":\"" + T0 + "\",\"pod\":\"podA\",\"profileId\":\"" + profile + "\",\"sessionId\":\""
                + session + "\",\"event\":\"start\",\"type\":\"session\",\"params\":{\"command\":\"w\"},"
                + "\"outcome\":null,\"durMs\":null}\n";
    }

    private static String failed(String profile, String session, String reason, String failureClass, int streak) {
        return "{\"ts\":\"" + T0.plusSeconds(1) + "\",\"pod\":\"podA\",\"profileId\":\"" + profile
                + "\",\"sessionId\":\"" + session + "\",\"event\":\"error\",\"type\":\"session\",\"params\":{\"reason\":\""
                + reason + "\"," + (failureClass == null ? "" : "\"class\":\"" + failureClass + "\",")
                + "\"message\":\"lost\",\"errorStreak\":" + streak + "},\"outcome\":\"error\",\"durMs\":1000}\n";
    }

    private static String pause(String profile, String until) {
        return "{\"ts\":\"" + T0 + "\",\"pod\":\"podA\",\"profileId\":\"" + profile + "\",\"sessionId\":null,"
                + "\"event\":\"pause\",\"type\":\"profile\",\"params\":{\"errorStreak\":0,\"pausedUntil\":\"" + until
                + "\",\"reason\":\"by hand\",\"by\":\"cli\",\"durationMs\":60000,\"pauseCount\":0},"
                + "\"outcome\":\"paused\",\"durMs\":null}\n";
    }
}
