package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord.Status;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link StateStore} must have. A subclass supplies {@link #newStore(Path)};
 * each test gets a fresh {@code dir}, and calling {@code newStore} again with the same dir must
 * reopen the same data (a PostgreSQL subclass can derive a schema name from the dir).
 */
public abstract class StateStoreContractTest {
    static final Instant T0 = Instant.parse("2025-01-08T10:30:00.123Z");

    @TempDir
    protected Path dir;

    /** Opens the store kept under {@code dir}, creating it on first call. */
    protected abstract StateStore newStore(Path dir);

    static ProfileState fullProfile(String id) {
        return new ProfileState(id, "podA", 4, true, true, true, T0.plusSeconds(86_400), "s-" + id,
                "exit 3: boom", T0, T0.plusMillis(1500), 2, T0.minusSeconds(30));
    }

    static SessionRecord running(String sessionId, String profileId, Instant startedAt) {
        return new SessionRecord(sessionId, profileId, "podA", 4242, 987_654_321L, 4242, startedAt,
                Status.RUNNING, null, null, null);
    }

    static StateWrite profiles(ProfileState... states) {
        return new StateWrite(List.of(states), List.of());
    }

    @Test
    void roundTripsEveryProfileField() {
        try (StateStore store = newStore(dir)) {
            ProfileState full = fullProfile("k12im9s2");
            ProfileState fresh = ProfileState.fresh("fresh1", "podB");
            store.write(profiles(full, fresh));

            Map<String, ProfileState> loaded = store.loadProfiles();

            assertEquals(full, loaded.get("k12im9s2"));
            assertEquals(fresh, loaded.get("fresh1"));
            assertEquals(2, loaded.size());
        }
    }

    @Test
    void keepsInstantsToTheMillisecond() {
        try (StateStore store = newStore(dir)) {
            Instant withNanos = Instant.parse("2025-01-08T10:30:00.123456789Z");
            store.write(profiles(new ProfileState("p1", "podA", 0, false, false, true, withNanos, null, null,
                    withNanos, withNanos, 1, withNanos)));

            ProfileState loaded = store.loadProfiles().get("p1");

            Instant ms = Instant.parse("2025-01-08T10:30:00.123Z");
            assertEquals(ms, loaded.pausedUntil());
            assertEquals(ms, loaded.lastStartedAt());
            assertEquals(ms, loaded.lastFinishedAt());
            assertEquals(ms, loaded.pausedAt());
        }
    }

    @Test
    void roundTripsEverySessionField() {
        try (StateStore store = newStore(dir)) {
            SessionRecord failed = running("s1", "p1", T0).ended(Status.FAILED, T0.plusMillis(2500), "exit", 3);
            SessionRecord signalled = running("s2", "p1", T0.plusSeconds(10))
                    .ended(Status.FAILED, T0.plusSeconds(11), "signal", null);
            store.write(new StateWrite(List.of(fullProfile("p1")), List.of(failed, signalled)));

            assertEquals(List.of(signalled, failed), store.recentSessions("p1", 10));
        }
    }

    @Test
    void upsertOverwritesProfileAndSession() {
        try (StateStore store = newStore(dir)) {
            SessionRecord started = running("s1", "p1", T0);
            store.write(new StateWrite(List.of(fullProfile("p1")), List.of(started)));

            ProfileState after = new ProfileState("p1", "podB", 0, false, false, false, null, "s1", null, T0,
                    T0.plusSeconds(5), 2, null);
            SessionRecord finished = started.ended(Status.FINISHED, T0.plusSeconds(5), null, 0);
            store.write(new StateWrite(List.of(after), List.of(finished)));

            assertEquals(Map.of("p1", after), store.loadProfiles());
            assertEquals(List.of(finished), store.recentSessions("p1", 10));
        }
    }

    @Test
    void aSessionRowIsWhatItsLastWriteSaid() {
        try (StateStore store = newStore(dir)) {
            // a launch's life: staged without a pid, its pid with a later write, then its end
            SessionRecord staged = new SessionRecord("s1", "p1", "podA", 0, 0, 0, T0, Status.RUNNING, null, null, null);
            store.write(new StateWrite(List.of(fullProfile("p1")), List.of(staged)));
            SessionRecord withPid = running("s1", "p1", T0);
            store.write(new StateWrite(List.of(), List.of(withPid)));
            assertEquals(List.of(withPid), store.openSessions());
            SessionRecord ended = withPid.ended(Status.FAILED, T0.plusSeconds(2), "exit", 3);
            store.write(new StateWrite(List.of(), List.of(ended)));
            assertEquals(List.of(), store.openSessions());
            assertEquals(List.of(ended), store.recentSessions("p1", 10));
        }
    }

    @Test
    void openSessionsReturnsOnlyRunningOnes() {
        try (StateStore store = newStore(dir)) {
            SessionRecord stillRunning = running("s1", "p1", T0);
            SessionRecord alsoRunning = running("s3", "p2", T0.plusSeconds(1));
            SessionRecord finished = running("s2", "p1", T0).ended(Status.FINISHED, T0.plusSeconds(3), null, 0);
            SessionRecord failed = running("s4", "p2", T0).ended(Status.FAILED, T0.plusSeconds(3), "timeout", null);
            store.write(new StateWrite(List.of(fullProfile("p1"), fullProfile("p2")),
                    List.of(stillRunning, finished, alsoRunning, failed)));

            List<SessionRecord> open = store.openSessions();

            assertEquals(List.of("s1", "s3"), ids(open));
            assertTrue(open.contains(stillRunning) && open.contains(alsoRunning));
        }
    }

    @Test
    void recentSessionsAreNewestFirstAndLimited() {
        try (StateStore store = newStore(dir)) {
            List<SessionRecord> sessions = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sessions.add(running("p1-s" + i, "p1", T0.plusSeconds(i))
                        .ended(Status.FINISHED, T0.plusSeconds(i).plusMillis(500), null, 0));
            }
            sessions.add(running("p2-s0", "p2", T0.plusSeconds(100)));
            store.write(new StateWrite(List.of(fullProfile("p1"), fullProfile("p2")), sessions));

            assertEquals(List.of("p1-s4", "p1-s3", "p1-s2"), ids(store.recentSessions("p1", 3)));
            assertEquals(5, store.recentSessions("p1", 50).size());
            assertEquals(List.of(), store.recentSessions("unknown", 10));
            assertEquals(List.of(), store.recentSessions("p1", 0));
        }
    }

    @Test
    void runnerIdIsStableAcrossReopen() {
        String first;
        try (StateStore store = newStore(dir)) {
            first = store.runnerId();
        }
        try (StateStore store = newStore(dir)) {
            assertEquals(first, store.runnerId());
        }
        assertFalse(first.isBlank());
    }

    @Test
    void eachDataDirGetsItsOwnRunnerId() {
        try (StateStore a = newStore(dir.resolve("a")); StateStore b = newStore(dir.resolve("b"))) {
            assertNotEquals(a.runnerId(), b.runnerId());
        }
    }

    @Test
    void stateSurvivesCloseAndReopen() {
        SessionRecord session = running("s1", "p1", T0);
        try (StateStore store = newStore(dir)) {
            store.write(new StateWrite(List.of(fullProfile("p1")), List.of(session)));
        }
        try (StateStore store = newStore(dir)) {
            assertEquals(Map.of("p1", fullProfile("p1")), store.loadProfiles());
            assertEquals(List.of(session), store.openSessions());
        }
    }

    @Test
    void writesManyRowsInOneCall() {
        List<ProfileState> profiles = new ArrayList<>();
        List<SessionRecord> sessions = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            profiles.add(fullProfile("p" + i));
            sessions.add(running("s" + i, "p" + i, T0.plusMillis(i)));
        }
        try (StateStore store = newStore(dir)) {
            store.write(new StateWrite(profiles, sessions));

            assertEquals(2000, store.loadProfiles().size());
            assertEquals(2000, store.openSessions().size());
            assertEquals(fullProfile("p1999"), store.loadProfiles().get("p1999"));
        }
    }

    @Test
    void emptyWriteChangesNothing() {
        try (StateStore store = newStore(dir)) {
            store.write(new StateWrite(List.of(), List.of()));

            assertEquals(Map.of(), store.loadProfiles());
            assertEquals(List.of(), store.openSessions());
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehind() {
        try (StateStore store = newStore(dir)) {
            store.write(profiles(fullProfile("p1")));
            ProfileState changed = ProfileState.fresh("p1", "podA");
            SessionRecord orphan = running("s-orphan", "no-such-profile", T0);

            assertThrows(StoreException.class,
                    () -> store.write(new StateWrite(List.of(changed), List.of(orphan))));

            assertEquals(Map.of("p1", fullProfile("p1")), store.loadProfiles());
            assertEquals(List.of(), store.openSessions());
            store.write(profiles(changed));
            assertEquals(Map.of("p1", changed), store.loadProfiles());
        }
    }

    private static List<String> ids(List<SessionRecord> sessions) {
        return sessions.stream().map(SessionRecord::sessionId).collect(Collectors.toList());
    }

    @Test
    void ladderStatsRoundTripAndSurviveReopen() {
        LadderStat a = new LadderStat("exit/3/5f1c0e2a", "refreshPage", 2.71, 1.9, "exit", "3",
                Instant.parse("2025-01-08T10:30:00.123456Z"));
        LadderStat b = new LadderStat("exit/3/5f1c0e2a", "goToHomepage", 1.0, 0.0, "exit", "3", T0);
        LadderStat c = new LadderStat("timeout/-/00000000", "goToHomepage", 0.9, 0.9, "timeout", null, T0);
        try (StateStore store = newStore(dir)) {
            assertEquals(List.of(), store.loadLadderStats(), "a new store has none");
            store.writeLadderStats(List.of(a, b, c));
        }
        try (StateStore store = newStore(dir)) {
            LadderStat aMs = new LadderStat(a.signature(), a.step(), a.attempts(), a.successes(), a.sampleReason(),
                    a.sampleExit(), Instant.parse("2025-01-08T10:30:00.123Z"));
            assertEquals(List.of(b, aMs, c), store.loadLadderStats(), "by signature, then step; instants to the ms");
        }
    }

    @Test
    void ladderStatsUpsertBySignatureAndStep() {
        try (StateStore store = newStore(dir)) {
            store.writeLadderStats(List.of(new LadderStat("sig", "a", 1, 0, "exit", "1", T0)));
            LadderStat later = new LadderStat("sig", "a", 1.9, 1.0, "exit", "1", T0.plusSeconds(5));
            store.writeLadderStats(List.of(later));
            store.writeLadderStats(List.of());

            assertEquals(List.of(later), store.loadLadderStats());
            assertEquals(0.526, Math.round(later.successRate() * 1000) / 1000.0);
        }
    }
}
