package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.LadderStat;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode: a runner killed between its {@code start} reaching its log and the session's row
 * reaching the database leaves a session nobody else knows of (no row for a lease's next holder
 * to close). Its next start closes it, once, with a {@code lost} event (found by the chaos bench:
 * the restart only stopped processes and the start stayed without an end). And the converse: a
 * session whose end reached its own log but not the database is not closed a second time when
 * the same runner takes its lease back after the restart.
 */
class ClusterUnrecordedStartTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final long COOLDOWN_MS = 60_000;
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final InMemoryStateStore data = new InMemoryStateStore();
    private final ClusterStore store = new ClusterStore(data);

    @TempDir
    Path dir;

    /** The database as cluster mode asks it: this runner's own rows, and what the fleet recorded elsewhere. */
    static final class ClusterStore implements StateStore {
        final InMemoryStateStore data;
        final Set<String> endedElsewhere = new HashSet<>();

        ClusterStore(InMemoryStateStore data) {
            this.data = data;
        }

        @Override
        public Optional<Instant> ownSessionsInSyncSince() {
            return data.sessions.values().stream().map(SessionRecord::startedAt)
                    .filter(Objects::nonNull).max(Instant::compareTo);
        }

        @Override
        public Set<String> recordedElsewhere(Collection<String> ids) {
            return ids.stream().filter(id -> data.sessions.containsKey(id) || endedElsewhere.contains(id))
                    .collect(Collectors.toSet());
        }

        @Override
        public String processIdentity() {
            return "host-a:/srv/a";
        }

        @Override
        public Map<String, ProfileState> loadProfiles() {
            return data.loadProfiles();
        }

        @Override
        public List<SessionRecord> openSessions() {
            return data.openSessions();
        }

        @Override
        public List<SessionRecord> recentSessions(String profileId, int limit) {
            return data.recentSessions(profileId, limit);
        }

        @Override
        public void write(StateWrite write) {
            data.write(write);
        }

        @Override
        public List<LadderStat> loadLadderStats() {
            return data.loadLadderStats();
        }

        @Override
        public void writeLadderStats(List<LadderStat> stats) {
            data.writeLadderStats(stats);
        }

        @Override
        public String runnerId() {
            return data.runnerId();
        }

        @Override
        public void close() {
        }
    }

    private Path log() {
        return dir.resolve("events.jsonl");
    }

    private final List<String> said = new ArrayList<>();

    private Supervisor runner(FakeLauncher launcher, LeaseDutyTest.FakeLeases leases) {
        RunnerConfig config = TestConfig.builder().cooldownMs(COOLDOWN_MS).timeoutMs(600_000).pod("podA", "p1").build();
        JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0);
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, said::add, Runnable::run,
                new FakeRecoveryActions(), null, EndedInLog.readingBackwards(log())), leases);
        s.start();
        return s;
    }

    private List<String> ends(String sessionId) {
        List<String> out = new ArrayList<>();
        for (EventRecord e : EventLogReader.readAll(log())) {
            if (sessionId.equals(e.sessionId()) && !"start".equals(e.event())) {
                out.add(e.event() + ":" + e.params().getOrDefault("reason", ""));
            }
        }
        return out;
    }

    /** p1 runs one session to its end, then its next start reaches only the log; the runner is killed. */
    private String killedWithAStartTheDatabaseNeverGot() {
        FakeLauncher launcher = new FakeLauncher();
        LeaseDutyTest.FakeLeases leases = new LeaseDutyTest.FakeLeases();
        Supervisor a = runner(launcher, leases);
        leases.loop.acquired(List.of(new PostgresLeases.Acquired("p1", 1, null, null, null, null, List.of())));
        a.step();
        launcher.forProfile("p1").get(0).exit(0);
        a.step();
        data.failWrites = true;
        time.advance(Duration.ofMillis(COOLDOWN_MS + 1));
        a.step();
        List<String> starts = EventLogReader.readAll(log()).stream().filter(e -> "start".equals(e.event()))
                .map(EventRecord::sessionId).toList();
        assertEquals(2, starts.size(), "the second start is in the log");
        assertFalse(data.sessions.containsKey(starts.get(1)), "and not in the database");
        data.failWrites = false;
        time.advance(Duration.ofSeconds(30));
        return starts.get(1);
    }

    @Test
    void aStartTheDatabaseNeverGotIsClosedAsLostOnceByTheNextStartOfThatRunner() throws Exception {
        String unrecorded = killedWithAStartTheDatabaseNeverGot();
        ProfileState before = data.profiles.get("p1");

        runner(new FakeLauncher(), new LeaseDutyTest.FakeLeases()); // no lease held: its leases expired meanwhile
        assertEquals(List.of("error:lost"), ends(unrecorded));
        EventRecord end = EventLogReader.readAll(log()).stream()
                .filter(e -> unrecorded.equals(e.sessionId()) && !"start".equals(e.event())).findFirst().orElseThrow();
        assertEquals(0L, end.durMs(), "it never ran: not the time until the restart");
        assertEquals(CrashReconciler.NEVER_LAUNCHED, end.params().get("message"));
        assertEquals(before, data.profiles.get("p1"), "the profile's row is its lease holder's to write");

        long lines = Files.readAllLines(log()).size();
        runner(new FakeLauncher(), new LeaseDutyTest.FakeLeases());
        assertEquals(lines, Files.readAllLines(log()).size(), "a second restart writes nothing");
    }

    @Test
    void aStartTheDatabaseNeverGotIsClosedEvenWhenTheTakerClosedAnotherOfItsRowsLater() throws Exception {
        String unrecorded = killedWithAStartTheDatabaseNeverGot();
        // the runner that took its leases over closed one of its other sessions as lost, at its own
        // (later) instant: the chaos bench found the start then fell before "in sync since"
        SessionRecord other = new SessionRecord("other", "p9", "podA", 42, 1, 42, T0.minusSeconds(5),
                SessionRecord.Status.RUNNING, null, null, null);
        data.sessions.put("other", other.ended(SessionRecord.Status.FAILED, time.now().plusSeconds(20), "lost", null));

        runner(new FakeLauncher(), new LeaseDutyTest.FakeLeases());
        assertEquals(List.of("error:lost"), ends(unrecorded));
    }

    @Test
    void aStartTheFleetRecordedElsewhereIsNotClosedAgain() throws Exception {
        String unrecorded = killedWithAStartTheDatabaseNeverGot();
        store.endedElsewhere.add(unrecorded); // e.g. its end reached the fleet's events table

        runner(new FakeLauncher(), new LeaseDutyTest.FakeLeases());
        assertEquals(List.of(), ends(unrecorded));
        assertNull(data.sessions.get(unrecorded));
    }

    @Test
    void aFinishInItsOwnLogThatNeverReachedTheDatabaseIsNotFollowedByALostWhenTheRunnerTakesTheLeaseBack() {
        FakeLauncher launcher = new FakeLauncher();
        LeaseDutyTest.FakeLeases leases = new LeaseDutyTest.FakeLeases();
        Supervisor a = runner(launcher, leases);
        leases.loop.acquired(List.of(new PostgresLeases.Acquired("p1", 1, null, null, null, null, List.of())));
        a.step();
        data.failWrites = true; // the finish reaches the log, its row does not: then kill -9
        launcher.forProfile("p1").get(0).exit(0);
        a.step();
        SessionRecord open = data.openSessions().get(0);
        assertEquals(List.of("finish:"), ends(open.sessionId()));
        data.failWrites = false;
        time.advance(Duration.ofSeconds(30));

        LeaseDutyTest.FakeLeases again = new LeaseDutyTest.FakeLeases();
        Supervisor b = runner(new FakeLauncher(), again);
        again.loop.acquired(List.of(new PostgresLeases.Acquired("p1", 2, 11L, "host-a:/srv/a", "alpha",
                data.profiles.get("p1"), List.of(new io.smartrunner.store.TakeoverRows.OpenSession(open, null, null)))));
        b.step();
        assertEquals(List.of("finish:"), ends(open.sessionId()), "no lost after its own finish");
        assertTrue(said.contains("took back 1 profile lease(s) this runner's earlier run held, which stopped renewing"
                + " them (1 session(s) it ran closed here): p1"), said.toString());
        assertEquals(SessionRecord.Status.FINISHED, data.sessions.get(open.sessionId()).status());
    }

    @Test
    void anotherRunnersOpenSessionIsStillClosedAsLostWhateverThisLogSays() {
        String unrecorded = killedWithAStartTheDatabaseNeverGot();
        SessionRecord open = new SessionRecord("s-other", "p1", "podA", 4242, 99, 4242, T0, SessionRecord.Status.RUNNING,
                null, null, null);
        LeaseDutyTest.FakeLeases again = new LeaseDutyTest.FakeLeases();
        Supervisor b = runner(new FakeLauncher(), again);
        again.loop.acquired(List.of(new PostgresLeases.Acquired("p1", 2, 12L, "host-b:/srv/b", "beta",
                data.profiles.get("p1"), List.of(new io.smartrunner.store.TakeoverRows.OpenSession(open, null, null)))));
        b.step();
        assertEquals(List.of("error:lost"), ends("s-other"));
        assertEquals(List.of("error:lost"), ends(unrecorded));
    }
}
