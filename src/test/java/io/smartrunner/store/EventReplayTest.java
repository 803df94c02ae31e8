package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventKinds;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.WireEvent;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.profile.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Replaying the events the rules emit gives back the states the rules produced. */
class EventReplayTest {
    private final ProfileRules rules = new ProfileRules(new PausePolicy(2, Duration.ofMinutes(5), 2.0,
            Duration.ofHours(1)));
    private final List<EventRecord> log = new ArrayList<>();
    private final Map<String, ProfileState> truth = new LinkedHashMap<>();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private void apply(Transition t) {
        truth.put(t.state().profileId(), t.state());
        log.addAll(t.events());
    }

    private ProfileState state(String id) {
        return truth.getOrDefault(id, ProfileState.fresh(id, "podA"));
    }

    /** A session: start (its event), then an end drawn at random. */
    private void session(Random rnd, String id, int n) {
        ProfileState s = state(id);
        if (s.paused()) {
            apply(rnd.nextBoolean() ? rules.unpause(s, now, "api") : rules.expirePause(s, s.pausedUntil()));
            return;
        }
        String sid = id + "-" + n;
        ProfileState started = rules.sessionStarted(s, sid, now);
        truth.put(id, started);
        log.add(io.smartrunner.event.Events.sessionStarted(now, "podA", id, sid, "w"));
        now = now.plusMillis(1 + rnd.nextInt(5000));
        FailureReason[] reasons = FailureReason.values();
        SessionResult r = rnd.nextInt(3) == 0 ? SessionResult.success(12)
                : new SessionResult(reasons[rnd.nextInt(reasons.length)], rnd.nextBoolean() ? 3 : null,
                        rnd.nextBoolean() ? "SIGKILL" : null, rnd.nextBoolean() ? "timed out" : null, "tail", 40L);
        apply(rules.sessionEnded(started, sid, r, now));
    }

    @Test
    void randomHistoriesReplayToTheSameStates() {
        for (int seed = 0; seed < 50; seed++) {
            Random rnd = new Random(seed);
            log.clear();
            truth.clear();
            for (int n = 0; n < 300; n++) {
                String id = "p" + rnd.nextInt(4);
                now = now.plusMillis(rnd.nextInt(1000));
                switch (rnd.nextInt(10)) {
                    case 0 -> apply(rules.pause(state(id), null, now, Duration.ofHours(2), "by hand", "cli"));
                    case 1 -> apply(rules.resetStreak(state(id), now, "api"));
                    case 2 -> { // a recovery step verified healthy: recover/ok, then the rule
                        log.add(io.smartrunner.event.Events.recoveryAttempted(now, "podA", id, null, 1, "kick", RecoveryAttempted.Result.OK,
                                "done", null, 5));
                        truth.put(id, rules.recovered(state(id)));
                    }
                    default -> session(rnd, id, n);
                }
            }
            EventReplay replay = new EventReplay(1000);
            log.forEach(replay);
            for (String id : truth.keySet()) {
                ProfileState want = truth.get(id);
                assertEquals(want, replay.profiles().get(id), "seed " + seed + ", profile " + id);
            }
        }
    }

    @Test
    void aStartWithoutAnEndStaysOpenAndRunning() {
        ProfileState s = ProfileState.fresh("p1", "podA");
        log.add(io.smartrunner.event.Events.sessionStarted(now, "podA", "p1", "s1", "w"));
        EventReplay replay = new EventReplay(10);
        log.forEach(replay);
        assertTrue(replay.profiles().get("p1").running());
        assertEquals(List.of("s1"), replay.sessions().stream()
                .filter(r -> r.status() == SessionRecord.Status.RUNNING).map(SessionRecord::sessionId).toList());
        assertEquals(rules.sessionStarted(s, "s1", now), replay.profiles().get("p1"));
    }

    @Test
    void absoluteValuesOnTheLinesWinWhenTheLogsStartIsGone() {
        // only the tail of a history: a streak of 5 and the 4th pause, their earlier events deleted by retention
        Map<String, Object> error = new LinkedHashMap<>(Map.of("reason", "exit", "exitCode", 3, "errorStreak", 5));
        EventReplay replay = new EventReplay(10);
        replay.accept(EventKinds.decode(new WireEvent(now, "podA", "p1", "s9", "error", "session", error, "error", 10L)));
        replay.accept(io.smartrunner.event.Events.profilePaused(now, "podA", "p1", "s9", 5, now.plusSeconds(60),
                "errorStreak 5 > maxErrorStreak 2", "runner", 60_000, 4));
        ProfileState p1 = replay.profiles().get("p1");
        assertEquals(5, p1.errorStreak());
        assertEquals(4, p1.pauseCount());
        assertEquals(now.plusSeconds(60), p1.pausedUntil());
        assertEquals("exit (exit 3)", p1.lastError());
    }

    @Test
    void anImportPutsTheImportedStreakAndPauseInPlace() {
        EventReplay replay = new EventReplay(10);
        replay.accept(io.smartrunner.event.Events.streakReset(now, "podA", "p1", 0, "cli"));
        replay.accept(io.smartrunner.event.Events.stateImported(now.plusSeconds(1), "podA", "p1", 3, true,
                now.plusSeconds(3600), 2, "/old/state.db", false, "import-state@a"));
        ProfileState p1 = replay.profiles().get("p1");
        assertEquals(3, p1.errorStreak());
        assertTrue(p1.paused());
        assertEquals(now.plusSeconds(3600), p1.pausedUntil());
        assertEquals(2, p1.pauseCount());
        assertEquals(now.plusSeconds(1), p1.pausedAt());

        replay.accept(io.smartrunner.event.Events.stateImported(now.plusSeconds(2), "podA", "p1", 0, false, null, 2,
                "/old/state.db", true, "import-state@a"));
        assertFalse(replay.profiles().get("p1").paused());
        assertEquals(0, replay.profiles().get("p1").errorStreak());
    }

    @Test
    void linesNamingAnIdNoConfigurationCanHaveAreLeftOutAndCounted() {
        EventReplay replay = new EventReplay(10);
        replay.accept(io.smartrunner.event.Events.sessionStarted(now, "podA", "../../etc", "s1", "w"));
        replay.accept(io.smartrunner.event.Events.sessionStarted(now, "..", "p1", "s2", "w"));
        replay.accept(io.smartrunner.event.Events.sessionStarted(now, "podA", "p1", "s3", "w"));

        assertEquals(List.of("p1"), List.copyOf(replay.profiles().keySet()));
        assertEquals(1, replay.events());
        assertEquals(2, replay.refused());
    }
}
