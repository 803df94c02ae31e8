package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ClusterSettings;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.TakeoverRows;
import io.smartrunner.store.StateWrite;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leases against a real PostgreSQL: share, takeover by the database clock, SKIP LOCKED, fencing, release. */
class LeaseKeeperTest {
    private static final ClusterSettings TIMINGS = ClusterSettings.leases(15_000, 2_000, 10_000);
    private static final List<String> PROFILES = List.of("p1", "p2", "p3", "p4", "p5", "p6");
    private final PostgresServer server = PostgresServer.shared();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<String> said = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private String db;
    private String url;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A runner: its store, membership and keeper, and a loop that takes every lease on at once. */
    private final class Runner {
        final PostgresStateStore store;
        final Membership membership;
        final LeaseKeeper keeper;
        final List<PostgresLeases.Acquired> acquired = new ArrayList<>();
        final Set<String> busy = new java.util.HashSet<>();

        Runner(String name) {
            store = PostgresStateStore.open(StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2),
                    "host:/srv/" + name);
            open.add(store);
            membership = Membership.join(store.members(), runner(name), TIMINGS, nanos::get, "host", 1, said::add);
            keeper = new LeaseKeeper(store.leases(), membership.incarnation(), TIMINGS, nanos::get, said::add);
            membership.keep(keeper);
            store.fence(keeper);
            keeper.configured(PROFILES);
            keeper.attach(new LeaseHandoff() {
                @Override
                public void acquired(List<PostgresLeases.Acquired> leases) {
                    acquired.addAll(leases);
                    leases.forEach(a -> keeper.taken(a.profileId(), a.epoch()));
                }

                @Override
                public CompletableFuture<List<String>> giveBack(List<String> ids, int count) {
                    List<String> idle = ids.stream().filter(id -> !busy.contains(id)).sorted().limit(count).toList();
                    idle.forEach(keeper::dropped);
                    return CompletableFuture.completedFuture(idle);
                }
            });
        }

        /** One heartbeat; returns the delay until the next one. */
        long beat() {
            membership.sessionsFrom(() -> 0);
            return membership.beatOnce();
        }

        Set<String> held() {
            return new java.util.TreeSet<>(PROFILES.stream().filter(keeper::mayRun).toList());
        }
    }

    private static RunnerSettings runner(String name) {
        RunnerSettings d = RunnerSettings.defaults();
        return new RunnerSettings(5, Path.of("data"), d.eventLog(), d.eventLogFsync(), d.eventLogFsyncIntervalMs(),
                d.startJitterMs(), d.sqliteSynchronous(), d.fileMode(), d.eventLogMaxBytes(), d.eventLogKeep(),
                d.minFreeMemoryMb(), d.maxLoadPerCore(), name, List.of());
    }

    /** One heartbeat of each, in this order. */
    private static void beatInTurn(Runner... runners) {
        for (Runner r : runners) {
            r.beat();
        }
    }

    private void newDb(String hint) {
        url = server.newDatabase(hint);
        db = url.substring(url.lastIndexOf('/') + 1);
    }

    private Map<String, long[]> leases() throws Exception {
        Map<String, long[]> out = new HashMap<>();
        try (Connection c = server.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT profile_id, COALESCE(holder_incarnation, -1), epoch FROM leases")) {
            while (rs.next()) {
                out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
            }
        }
        return out;
    }

    @Test
    void aLoneRunnerTakesEverythingThenASecondOneGetsItsShareWithTheEpochBumped() throws Exception {
        newDb("leases_share");
        Runner a = new Runner("alpha");
        a.beat();
        assertEquals(Set.copyOf(PROFILES), a.held());
        assertEquals(1L, a.keeper.epoch("p1"));
        assertNull(a.acquired.get(0).previousIncarnation(), "a free lease had no holder");

        Runner b = new Runner("beta");
        b.beat();
        assertEquals(Set.of(), b.held(), "nothing is free while alpha is live");
        a.busy.add("p1");
        a.beat(); // holds 6 > share 3 + 1: gives back idle ones down to its share
        assertEquals(3, a.held().size());
        assertTrue(a.held().contains("p1"), "a busy profile is kept");
        b.beat();
        assertEquals(3, b.held().size());
        for (String id : b.held()) {
            assertEquals(2L, b.keeper.epoch(id), "epoch +1 on every acquisition");
            assertFalse(a.keeper.mayRun(id));
        }
    }

    /**
     * Reviewer R12: a runner kept one lease over its share (the shares' rounding), so with every
     * runner at share + 1 one that joined got nothing: 6 profiles split 3/3, a third runner (share
     * 2) held none for good. A runner over its share gives back while another is below its own.
     */
    @Test
    void aRunnerThatJoinsAFleetWhoseRunnersAreEachOneOverTheirShareGetsItsShare() throws Exception {
        newDb("leases_newcomer");
        Runner a = new Runner("alpha");
        a.beat();
        Runner b = new Runner("beta");
        beatInTurn(b, a, b);
        assertEquals(List.of(3, 3), List.of(a.held().size(), b.held().size()));

        Runner c = new Runner("gamma"); // share ceil(6 x 5 / 15) = 2 each from now on
        c.beat();
        assertEquals(0, c.held().size(), "nothing is free yet");
        beatInTurn(a, b, c);

        assertEquals(List.of(2, 2, 2), List.of(a.held().size(), b.held().size(), c.held().size()));
        beatInTurn(a, b, c);
        assertEquals(List.of(2, 2, 2), List.of(a.held().size(), b.held().size(), c.held().size()), "and it stays so");
    }

    /**
     * The database is down for 20 s (longer than the 15 s lease): no heartbeat lands, both runners
     * fence themselves. The first back no longer takes the other's leases at once (it did: the
     * whole fleet reshuffled, and the takers wrote {@code lost} for sessions whose holder's own end
     * was still queued); the other gets one TTL to be heard again, and keeps its leases. A runner
     * that is not heard again loses its leases one TTL after the first came back.
     */
    @Test
    void theFirstRunnerBackFromADatabaseOutageGivesTheOthersOneTtlToBeHeardAgain() throws Exception {
        newDb("leases_outage");
        Runner a = new Runner("alpha");
        a.beat();
        Runner b = new Runner("beta");
        beatInTurn(b, a, b);
        assertEquals(3, b.held().size());
        Set<String> betas = b.held();

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(20_000));
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '20 seconds'");
        a.beat();
        assertEquals(3, a.held().size(), "beta's leases wait for beta to be heard again");
        b.beat();
        assertEquals(betas, b.held(), "beta, heard again, keeps its leases");

        // now beta dies: alpha, back for over a TTL, takes its leases once they expire
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '16 seconds' WHERE member_name = 'beta'");
        for (int i = 0; i < 7; i++) { // alpha heartbeats on time (every 2 s) for 14 s
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(2_000));
            a.beat();
        }
        assertEquals(3, a.held().size(), "within a TTL of its return, beta's 16 s old heartbeat still counts");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_001));
        a.beat();
        assertEquals(Set.copyOf(PROFILES), a.held(), "a TTL after its return: beta's leases are taken");
    }

    @Test
    void expiryIsJudgedByTheDatabaseClockAndTheTakerSeesThePreviousHolder() throws Exception {
        newDb("leases_expiry");
        Runner a = new Runner("alpha");
        a.beat();
        Runner b = new Runner("beta");
        // alpha's heartbeat is 14 s old by the database clock: still live
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '14 seconds' WHERE member_name = 'alpha'");
        b.beat();
        assertEquals(Set.of(), b.held());
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '16 seconds' WHERE member_name = 'alpha'");
        b.beat();
        assertEquals(Set.copyOf(PROFILES), b.held());
        assertEquals(a.membership.incarnation(), b.acquired.get(0).previousIncarnation());
        assertEquals(2L, b.keeper.epoch("p3"));
        // alpha comes back: its heartbeat lands, the check finds every lease gone
        a.beat();
        assertEquals(Set.of(), a.held());
        assertTrue(said.stream().anyMatch(s -> s.startsWith("lease of profile p1 was lost (held here at epoch 1")), said.toString());
    }

    @Test
    void theNextHeartbeatComesJustAfterAnotherRunnersLeasesExpireNotAPeriodLater() throws Exception {
        newDb("leases_pace");
        Runner a = new Runner("alpha");
        assertEquals(2_000, a.beat(), "alone: the period");
        Runner b = new Runner("beta");
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '14 seconds' WHERE member_name = 'alpha'");
        long delay = b.beat();
        // alpha expires 1 s from now by the database clock; beta beats 10 ms after that
        assertTrue(delay > 900 && delay <= 1_010, "delay " + delay);
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '15 seconds' WHERE member_name = 'alpha'");
        assertEquals(2_000, b.beat(), "alpha is gone: nobody left to wait for");
        assertEquals(Set.copyOf(PROFILES), b.held(), "and that heartbeat took its leases over");
        server.execute(db, "UPDATE runners SET heartbeat_at = now() WHERE member_name = 'alpha'");
        assertEquals(2_000, b.beat(), "a live runner heartbeating on time is 15 s from expiry: the period");
    }

    @Test
    void theRenewDeadlineIsMeasuredFromTheSendOfTheLastSuccessfulHeartbeat() {
        newDb("leases_deadline");
        Runner a = new Runner("alpha");
        a.beat();
        assertTrue(a.keeper.mayRun("p1"));
        assertNull(a.keeper.fenced());
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(10_001));
        assertFalse(a.keeper.mayRun("p1"), "past the renew deadline: self-fencing");
        assertTrue(a.keeper.fenced().startsWith("self-fencing: the last successful heartbeat was sent 10.0 s ago"),
                a.keeper.fenced());
        assertEquals(1L, a.keeper.epoch("p1"), "the lease is still its own until someone takes it");
        a.beat();
        assertTrue(a.keeper.mayRun("p1"), "a heartbeat that lands renews every lease");
    }

    /** The wait is bounded: a controls table that cannot be read must not keep taken-over profiles from running. */
    @Test
    void aProfileTakenOnStartsWithoutItsQueuedControlsWhenNoReadIsDoneInTenSecondsAndItIsSaidOnce() {
        LeaseKeeper k = new LeaseKeeper(null, 1, TIMINGS, nanos::get, said::add);
        k.readBy(() -> { });
        k.readBegins(); // a read that never ends (the table locked, the relay stuck)
        k.taken("p1", 1);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(LeaseKeeper.CONTROLS_READ_WAIT_MS - 1));
        k.taken("p2", 1);
        assertFalse(k.queuedControlsRead("p1"), "still within the wait");
        assertEquals(List.of(), said);

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(k.queuedControlsRead("p1"), "waited long enough: availability wins");
        assertTrue(k.queuedControlsRead("p1"));
        assertEquals(1, said.size(), "said once: " + said);
        assertTrue(said.get(0).startsWith("fleet controls: not read within 10 s of taking over profile p1: it starts"
                + " without them"), said.get(0));
        assertFalse(k.queuedControlsRead("p2"), "taken later: its own wait");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(LeaseKeeper.CONTROLS_READ_WAIT_MS));
        assertTrue(k.queuedControlsRead("p2"));
        assertEquals(1, said.size(), "not again until a read is done");

        k.readDone(k.readBegins()); // the relay works again
        k.taken("p3", 1);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(LeaseKeeper.CONTROLS_READ_WAIT_MS));
        assertTrue(k.queuedControlsRead("p3"));
        assertEquals(2, said.size(), "a new spell without reads is said again: " + said);
    }

    /** A queued pause must be in effect before a taken-over profile's first session here, not after it. */
    @Test
    void aProfileTakenOnWaitsForOneReadOfTheQueuedControlsThatBeganAfterIt() {
        LeaseKeeper k = new LeaseKeeper(null, 1, TIMINGS, nanos::get, said::add);
        java.util.concurrent.atomic.AtomicInteger turns = new java.util.concurrent.atomic.AtomicInteger();
        k.attach(new LeaseHandoff() {
            @Override
            public void acquired(List<PostgresLeases.Acquired> leases) {
            }

            @Override
            public CompletableFuture<List<String>> giveBack(List<String> ids, int count) {
                return CompletableFuture.completedFuture(List.of());
            }

            @Override
            public void slotsAcquired() {
                turns.incrementAndGet();
            }
        });
        k.taken("p1", 1);
        assertTrue(k.queuedControlsRead("p1"), "no relay wired (none exists without PostgreSQL's controls): nothing waits");

        java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
        k.readBy(wakes::incrementAndGet);
        long before = k.readBegins(); // a read already under way when p2 is taken
        k.taken("p2", 1);
        assertEquals(1, wakes.get(), "taking a profile on wakes the relay");
        assertFalse(k.queuedControlsRead("p2"), "taken on: waits for the queued controls to be read");
        assertTrue(k.mayRun("p2"), "held all the while: nothing it runs or recovers is stopped for it");
        assertTrue(k.queuedControlsRead("p1"));
        k.readDone(before);
        assertFalse(k.queuedControlsRead("p2"), "a read that began before the take may have skipped its controls");
        assertEquals(0, turns.get());

        long after = k.readBegins();
        k.taken("p3", 1); // during that read: the next one counts for it
        k.readDone(after);
        assertTrue(k.queuedControlsRead("p2"), "read since: it may start");
        assertEquals(1, turns.get(), "and the loop turns to start it now");
        assertFalse(k.queuedControlsRead("p3"));
        k.readDone(k.readBegins());
        assertTrue(k.queuedControlsRead("p3"));
    }

    @Test
    void deadlinePlusCheckPlusGraceStaysUnderTheTtl() {
        for (ClusterSettings t : List.of(TIMINGS, ClusterSettings.leases(3_000, 500, 2_000), ClusterSettings.leases(2_000, 1, 1_000))) {
            LeaseKeeper k = new LeaseKeeper(null, 1, t, nanos::get, said::add);
            assertTrue(t.renewDeadlineMs() + k.checkEveryMs() + k.fenceGraceMs() < t.leaseTtlMs(), t.toString());
        }
        LeaseKeeper defaults = new LeaseKeeper(null, 1, TIMINGS, nanos::get, said::add);
        assertEquals(1_000, defaults.checkEveryMs());
        assertEquals(2_500, defaults.fenceGraceMs());
    }

    @Test
    void acquisitionSkipsRowsAnotherRunnerHasLockedInsteadOfWaiting() throws Exception {
        newDb("leases_skip_locked");
        Runner a = new Runner("alpha");
        a.store.leases().ensure(PROFILES);
        try (Connection other = server.connect(db); Statement st = other.createStatement()) {
            other.setAutoCommit(false);
            st.executeQuery("SELECT * FROM leases WHERE profile_id IN ('p1', 'p2') FOR UPDATE").close();
            a.beat(); // would block for good without SKIP LOCKED
            assertEquals(Set.of("p3", "p4", "p5", "p6"), a.held());
            other.rollback();
        }
        a.beat();
        assertEquals(Set.copyOf(PROFILES), a.held());
    }

    @Test
    void aStaleWriteIsRefusedForItsProfileOnlyCountedAndTheLeaseDropped() throws Exception {
        newDb("leases_stale");
        Runner a = new Runner("alpha");
        a.beat();
        Runner b = new Runner("beta");
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '20 seconds' WHERE member_name = 'alpha'");
        server.execute(db, "UPDATE leases SET holder_incarnation = " + b.membership.incarnation()
                + ", epoch = epoch + 1 WHERE profile_id = 'p1'"); // beta took p1 (as its keeper would)

        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        ProfileState p1 = ProfileState.fresh("p1", "pod").withPod("pod");
        ProfileState p2 = ProfileState.fresh("p2", "pod");
        SessionRecord s1 = new SessionRecord("s-p1", "p1", "pod", 1, 1, 1, t, SessionRecord.Status.RUNNING, null, null, null);
        a.store.write(new StateWrite(List.of(p1, p2), List.of(s1)));

        assertEquals(1, a.keeper.staleWrites());
        assertNull(a.keeper.epoch("p1"), "dropped here");
        assertNotNull(a.keeper.epoch("p2"));
        Map<String, ProfileState> rows = a.store.loadProfiles();
        assertFalse(rows.containsKey("p1"), "the stale holder's row did not go in");
        assertTrue(rows.containsKey("p2"), "the rest of the batch did");
        assertTrue(a.store.recentSessions("p1", 5).isEmpty());
        assertTrue(said.stream().anyMatch(s -> s.startsWith("stale write refused for profile p1: held here at epoch 1,"
                + " the database has another holder")), said.toString());
    }

    @Test
    void aGracefulStopFreesEveryLeaseAtOnce() throws Exception {
        newDb("leases_release");
        Runner a = new Runner("alpha");
        a.beat();
        a.membership.close();
        for (long[] l : leases().values()) {
            assertEquals(-1, l[0], "no holder");
        }
        Runner b = new Runner("beta");
        b.beat();
        assertEquals(Set.copyOf(PROFILES), b.held(), "taken at once, without waiting for the TTL");
    }

    @Test
    void whileTheDatabaseIsGoneTheLeasesLapseAtTheDeadlineAndComeBackWithTheHeartbeatIfNobodyTookThem() {
        newDb("leases_db_loss");
        Runner a = new Runner("alpha");
        a.beat();
        server.execute(db, "ALTER TABLE runners RENAME TO runners_away"); // every heartbeat fails from now on
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(2_000));
        a.beat();
        assertTrue(a.keeper.mayRun("p1"), "within the renew deadline the sessions go on");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(8_001));
        a.beat();
        assertFalse(a.keeper.mayRun("p1"));
        assertTrue(a.keeper.problem().startsWith("self-fencing:"), a.keeper.problem());
        assertTrue(a.membership.problem().startsWith("cluster heartbeat failing"), a.membership.problem());

        server.execute(db, "ALTER TABLE runners_away RENAME TO runners");
        a.beat();
        assertTrue(a.keeper.mayRun("p1"), "rejoined by itself");
        assertEquals(1L, a.keeper.epoch("p1"), "nobody took it meanwhile: the same epoch is still its own");
        assertNull(a.keeper.problem());
        assertTrue(said.stream().anyMatch(s -> s.startsWith("heartbeat landed again: 6 lease(s) still held here")),
                said.toString());
    }

    @Test
    void aWritePendingAcrossATakeoverIsCountedStale() throws Exception {
        newDb("leases_lost_pending");
        Runner a = new Runner("alpha");
        a.beat();
        Runner b = new Runner("beta");
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '20 seconds' WHERE member_name = 'alpha'");
        b.beat();
        a.beat(); // finds every lease taken
        a.store.write(new StateWrite(List.of(ProfileState.fresh("p1", "pod")), List.of()));
        assertEquals(1, a.keeper.staleWrites());
        assertFalse(a.store.loadProfiles().containsKey("p1"));
    }

    /**
     * The end of a session that ran under alpha's epoch goes into the fleet's events even after beta
     * took the lease (it used to be refused as stale, and the session kept its start only); the session
     * ends once there, so beta's {@code lost} for it, later, is refused.
     */
    @Test
    void theEndOfASessionWhoseLeaseWasLostGoesInOnceAndATakersLaterLostIsRefused() {
        newDb("leases_lost_event");
        Runner a = new Runner("alpha");
        a.beat();
        Instant t = Instant.parse("2026-01-08T10:30:00Z");
        FleetEventWriter writer = new FleetEventWriter(a.store.events(), "alpha", a.membership.incarnation(), said::add);
        open.add(writer);
        assertTrue(writer.sendNow(List.of(new PostgresEvents.Written(
                Events.sessionStarted(t, "pod", "p1", "s1", "/bin/w"), a.keeper.lastEpoch("p1")))));
        Runner b = new Runner("beta");
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '20 seconds' WHERE member_name = 'alpha'");
        b.beat(); // beta takes every lease over (and would close s1 as lost)
        a.beat(); // alpha finds them lost, and stops s1: its end is written after the loss
        assertNull(a.keeper.epoch("p1"));
        assertEquals(1L, a.keeper.lastEpoch("p1"), "the epoch its events were written under");
        assertNull(a.keeper.lastEpoch("p9"), "never held here: not fenced");
        a.keeper.taken("p9", 4);
        a.keeper.dropped("p9");
        assertNull(a.keeper.lastEpoch("p9"), "given back (a browser closed after it is still the fleet's news)");

        EventRecord end = Events.sessionFinished(t.plusSeconds(1), "pod", "p1",
                "s1", 1_000L);
        assertTrue(writer.sendNow(List.of(new PostgresEvents.Written(end, a.keeper.lastEpoch("p1")))));
        assertEquals(0, writer.staleRejected(), "alpha held p1 at epoch 1, when s1 ran: beta's epoch 2 changes nothing");
        FleetEventWriter betaWriter = new FleetEventWriter(b.store.events(), "beta", b.membership.incarnation(),
                said::add);
        open.add(betaWriter);
        EventRecord lost = Events.sessionFailed(t.plusSeconds(2), "pod", "p1", "s1", io.smartrunner.event.Params
                .builder().put(io.smartrunner.event.EventParams.REASON, "lost").build(), null);
        assertTrue(betaWriter.sendNow(List.of(new PostgresEvents.Written(lost, b.keeper.lastEpoch("p1")))));
        assertEquals(1, betaWriter.staleRejected(), "s1 has its end already");
        List<String> kinds = a.store.events().pageAfter(0, 10, new EventFilter(null, null, null))
                .events().stream().map(EventRecord::event).toList();
        assertEquals(List.of("start", "finish"), kinds, "one end per session in the fleet's events");
    }

    @Test
    void aWriteAboutAProfileNeverHeldHereIsSkippedForThatProfileOnlyAndSaidOncePerProfile() throws Exception {
        newDb("leases_never_held");
        Runner a = new Runner("alpha");
        a.beat();
        for (int i = 0; i < 3; i++) {
            a.store.write(new StateWrite(List.of(ProfileState.fresh("p9", "pod"), ProfileState.fresh("p1", "pod")),
                    List.of()));
        }
        assertFalse(a.store.loadProfiles().containsKey("p9"), "not held here: not written");
        assertTrue(a.store.loadProfiles().containsKey("p1"), "the held one in the same write is");
        assertEquals(1, said.stream().filter(s -> s.equals("a write about profile p9 was skipped: this runner does not"
                + " hold its lease (said once per profile)")).count(), said.toString());
        assertEquals(0, a.keeper.staleWrites(), "never held is not stale");
    }

    @Test
    void aTakerGetsTheOldHoldersOpenSessionsAndSeesWhichAlreadyEndedInTheFleetsEvents() throws Exception {
        newDb("leases_open_sessions");
        Runner a = new Runner("alpha");
        a.beat();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        a.store.write(new StateWrite(List.of(ProfileState.fresh("p1", "pod"), ProfileState.fresh("p2", "pod")), List.of(
                new SessionRecord("s1", "p1", "pod", 11, 1, 11, t, SessionRecord.Status.RUNNING, null, null, null),
                new SessionRecord("s2", "p2", "pod", 12, 1, 12, t, SessionRecord.Status.RUNNING, null, null, null))));
        // a first taker wrote s2's lost event to the fleet's events, then died before closing its row
        server.execute(db, "INSERT INTO events (ts, runner_name, profile_id, session_id, event, type, params)"
                + " VALUES (now(), 'gamma', 'p2', 's2', 'error', 'session', '{\"reason\": \"lost\"}')");
        Runner b = new Runner("beta");
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '20 seconds' WHERE member_name = 'alpha'");
        b.beat();

        Map<String, PostgresLeases.Acquired> got = new HashMap<>();
        b.acquired.forEach(x -> got.put(x.profileId(), x));
        assertEquals("s1", got.get("p1").openSessions().get(0).row().sessionId());
        assertNull(got.get("p1").openSessions().get(0).endedAs(), "no end anywhere: the taker writes its lost");
        assertEquals("error", got.get("p2").openSessions().get(0).endedAs());
        assertEquals("lost", got.get("p2").openSessions().get(0).endReason());
        assertEquals("p1", got.get("p1").row().profileId());
        assertTrue(got.get("p3").openSessions().isEmpty());
    }
}
