package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ClusterSettings;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pod's concurrency across the fleet, against a real PostgreSQL: two keepers share one pod's slots. */
class PodSlotKeeperTest {
    private static final ClusterSettings TIMINGS = ClusterSettings.leases(15_000, 2_000, 10_000);
    private static final String POD = "shop";
    private final PostgresServer server = PostgresServer.shared();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<String> said = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, String> podOf = new LinkedHashMap<>();
    private String url;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A runner whose loop takes every lease on, and gives slots back as PodSlotDuty does: only ones no session needs. */
    private final class Runner {
        final Membership membership;
        final LeaseKeeper keeper;
        /** Sessions of the pod running in this runner's loop. */
        int running;
        int asks;
        int wakes;
        /** Leases handed over and not taken on yet (a loop that takes them on between two turns, later). */
        final List<PostgresLeases.Acquired> arriving = new ArrayList<>();
        boolean takeOnLater;

        Runner(String name, int concurrency) {
            PostgresStateStore store = PostgresStateStore.open(
                    StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host:/srv/" + name);
            open.add(store);
            membership = Membership.join(store.members(), runner(name), TIMINGS, nanos::get, "host", 1, said::add);
            keeper = new LeaseKeeper(store.leases(), membership.incarnation(), TIMINGS, nanos::get, said::add);
            membership.keep(keeper);
            store.fence(keeper);
            keeper.configured(podOf.keySet());
            concurrency(concurrency);
            keeper.attach(new LeaseHandoff() {
                @Override
                public void acquired(List<PostgresLeases.Acquired> leases) {
                    if (takeOnLater) {
                        arriving.addAll(leases);
                    } else {
                        leases.forEach(a -> keeper.taken(a.profileId(), a.epoch()));
                    }
                }

                @Override
                public void slotsAcquired() {
                    wakes++;
                }

                @Override
                public CompletableFuture<List<String>> giveBack(List<String> ids, int count) {
                    List<String> idle = ids.stream().sorted().limit(count).toList();
                    idle.forEach(keeper::dropped);
                    return CompletableFuture.completedFuture(idle);
                }

                @Override
                public CompletableFuture<Map<String, List<Integer>>> giveBackSlots(Map<String, Integer> counts) {
                    asks++;
                    Map<String, List<Integer>> given = new HashMap<>();
                    counts.forEach((pod, count) -> given.put(pod, keeper.dropPodSlots(pod,
                            Math.max(0, Math.min(count, keeper.podSlots(pod) - running)))));
                    return CompletableFuture.completedFuture(given);
                }
            });
        }

        void concurrency(int c) {
            keeper.pods(Map.of(POD, c), podOf);
        }

        void noPods() {
            keeper.pods(Map.of("other", 1), Map.of());
        }

        void beat() {
            membership.sessionsFrom(() -> running);
            membership.beatOnce();
        }

        int slots() {
            return keeper.podSlots(POD);
        }
    }

    private static RunnerSettings runner(String name) {
        RunnerSettings d = RunnerSettings.defaults();
        return new RunnerSettings(5, Path.of("data"), d.eventLog(), d.eventLogFsync(), d.eventLogFsyncIntervalMs(),
                d.startJitterMs(), d.sqliteSynchronous(), d.fileMode(), d.eventLogMaxBytes(), d.eventLogKeep(),
                d.minFreeMemoryMb(), d.maxLoadPerCore(), name, List.of());
    }

    private String db() {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private void profiles(int n) {
        for (int i = 1; i <= n; i++) {
            podOf.put(String.format("p%02d", i), POD);
        }
    }

    /** Slots of the pod the database gives to some runner, by slot number. */
    private Map<Integer, Long> heldInDb() throws SQLException {
        Map<Integer, Long> out = new HashMap<>();
        try (Connection c = server.connect(db());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT slot, holder_incarnation FROM pod_slots WHERE pod = '" + POD
                     + "' AND holder_incarnation IS NOT NULL")) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return out;
    }

    private void assertAtMost(int concurrency, Runner... runners) throws SQLException {
        int sum = 0;
        for (Runner r : runners) {
            sum += r.slots();
        }
        assertTrue(sum <= concurrency, "runners hold " + sum + " slots of a pod with concurrency " + concurrency);
        assertTrue(heldInDb().size() <= concurrency, "database: " + heldInDb());
    }

    @Test
    void twoRunnersShareThePodsConcurrencyAndEachGetsSome() throws SQLException {
        url = server.newDatabase("slots_share");
        profiles(6);
        Runner a = new Runner("alpha", 3);
        a.beat();
        assertEquals(3, a.slots(), "alone with all 6 profiles, it holds every slot");
        Runner b = new Runner("beta", 3);
        for (int i = 0; i < 4; i++) {
            b.beat();
            assertAtMost(3, a, b);
            a.beat();
            assertAtMost(3, a, b);
        }
        b.beat();
        assertAtMost(3, a, b);
        assertEquals(3, a.keeper.heldCount(), "the profiles spread 3 and 3");
        assertEquals(2, a.slots(), "ceil(3 × 3/6)");
        assertEquals(1, b.slots(), "the slot alpha gave back");
        assertEquals(3, heldInDb().size());
    }

    @Test
    void aTakeoversSlotsComeInTheSameHeartbeatAsItsLeasesAndTheLoopIsWoken() throws SQLException {
        url = server.newDatabase("slots_arriving");
        profiles(4);
        Runner a = new Runner("alpha", 2);
        a.takeOnLater = true; // as the real loop: the leases are taken on after this heartbeat returns
        a.keeper.podDemand(Map.of()); // the loop's last start pass saw nothing runnable here
        a.beat();
        assertEquals(4, a.arriving.size());
        assertEquals(2, a.slots(), "the slots for the profiles just acquired, without waiting a heartbeat");
        assertEquals(1, a.wakes, "and the loop is told to look at once");
    }

    @Test
    void aSlotIsGivenBackOnlyWhenTheLoopHasNoSessionOnIt() throws SQLException {
        url = server.newDatabase("slots_loop");
        profiles(6);
        Runner a = new Runner("alpha", 3);
        a.beat();
        a.running = 3; // every slot busy
        Runner b = new Runner("beta", 3);
        for (int i = 0; i < 3; i++) {
            b.beat();
            a.beat();
        }
        assertTrue(a.asks > 0, "the keeper asked its loop");
        assertEquals(3, a.slots(), "no running session is cut short: alpha keeps its slots while they are busy");
        assertEquals(0, b.slots());
        assertEquals(3, heldInDb().size());
        a.running = 2; // one session ended
        a.beat();
        b.beat();
        assertEquals(2, a.slots());
        assertEquals(1, b.slots(), "the slot came free as the session ended, and beta took it");
        assertAtMost(3, a, b);
    }

    @Test
    void aSlotOfARunnerWhoseHeartbeatExpiredIsTakenOver() throws SQLException {
        url = server.newDatabase("slots_takeover");
        profiles(6);
        Runner a = new Runner("alpha", 3);
        a.beat();
        assertEquals(3, a.slots());
        Runner b = new Runner("beta", 3);
        b.beat();
        assertEquals(0, b.slots(), "alpha is live: its slots stay its own");
        server.execute(db(), "UPDATE runners SET heartbeat_at = now() - interval '20 seconds' WHERE member_name = 'alpha'");
        b.beat();
        assertEquals(6, b.keeper.heldCount(), "alpha's leases are taken over");
        assertEquals(3, b.slots(), "and its slots");
        long beta = b.membership.incarnation();
        assertTrue(heldInDb().values().stream().allMatch(i -> i == beta), heldInDb().toString());
        a.beat(); // alpha comes back: every slot is gone
        assertEquals(0, a.slots());
        assertTrue(said.stream().anyMatch(s -> s.startsWith("slot 0 of pod shop was lost")), said.toString());
    }

    @Test
    void aLoweredConcurrencyGivesTheSlotsAboveItBackAsTheirSessionsEnd() throws SQLException {
        url = server.newDatabase("slots_lower");
        profiles(6);
        Runner a = new Runner("alpha", 3);
        a.beat();
        a.running = 3;
        a.concurrency(1); // a reload
        a.beat();
        assertEquals(3, a.slots(), "busy: nothing given back yet");
        a.running = 0;
        a.beat();
        assertEquals(1, a.slots());
        assertEquals(Map.of(0, a.membership.incarnation()), heldInDb(), "slots 1 and 2 are free, slot 0 is kept");
    }

    @Test
    void aGracefulStopFreesTheSlotsAtOnce() throws SQLException {
        url = server.newDatabase("slots_stop");
        profiles(2);
        Runner a = new Runner("alpha", 3);
        a.beat();
        assertEquals(2, a.slots(), "want: no more slots than profiles held");
        a.keeper.releaseAll();
        assertEquals(Map.of(), heldInDb());
    }

    /** Pauses the profiles {@code member} holds but {@code keep}, as its rows say after the pauses. */
    private void pauseHeldBy(String member, int keep) throws SQLException {
        server.execute(db(), "INSERT INTO profiles (profile_id, pod, paused, paused_until) SELECT l.profile_id, '" + POD
                + "', true, now() + interval '1 hour' FROM leases l JOIN runners r ON r.incarnation = l.holder_incarnation"
                + " WHERE r.member_name = '" + member + "' ORDER BY l.profile_id OFFSET " + keep
                + " ON CONFLICT (profile_id) DO UPDATE SET paused = true, paused_until = excluded.paused_until");
    }

    @Test
    void profilesTheLoopCannotRunHoldNoSlot() throws SQLException {
        url = server.newDatabase("slots_demand");
        profiles(6);
        Runner a = new Runner("alpha", 3);
        a.keeper.podDemand(Map.of(POD, 1)); // five of its six profiles are paused
        a.beat();
        assertEquals(1, a.slots());
        Runner b = new Runner("beta", 3);
        b.beat();
        a.beat();
        pauseHeldBy("alpha", 1); // alpha kept 3 of the 6 leases: 2 of them paused
        b.beat();
        a.beat();
        b.beat();
        assertEquals(3, a.slots() + b.slots(), "the slots alpha does not want are free for beta");
        a.keeper.podDemand(Map.of(POD, 0)); // all paused now
        a.beat();
        b.beat();
        assertEquals(0, a.slots());
        assertAtMost(3, a, b);
    }

    /**
     * Reviewer R4: caps of ceil(concurrency × profiles ÷ all) added up to more than the concurrency;
     * the runners at their caps never gave a slot back, and the one restarted last held none, its
     * profiles idle for good. Quotas add up to the concurrency: it gets its share as sessions end.
     */
    @Test
    void aRunnerThatJoinsAFullPodLastGetsItsShareAsSessionsEnd() throws SQLException {
        url = server.newDatabase("slots_last");
        profiles(16);
        Runner[] first = {new Runner("alpha", 6), new Runner("beta", 6), new Runner("gamma", 6)};
        for (int round = 0; round < 4; round++) {
            for (Runner r : first) {
                r.beat();
            }
        }
        assertEquals(6, heldInDb().size(), "the three fill the pod");
        for (Runner r : first) {
            r.running = r.slots(); // every slot busy
        }
        Runner d = new Runner("delta", 6);
        for (int round = 0; round < 4; round++) {
            d.beat();
            for (Runner r : first) {
                r.beat();
            }
        }
        assertTrue(d.keeper.heldCount() > 0, "delta takes some of the leases");
        assertEquals(0, d.slots(), "no session is cut short for it");
        for (Runner r : first) {
            r.running = 0; // their sessions end
        }
        for (int round = 0; round < 3; round++) {
            for (Runner r : first) {
                r.beat();
            }
            d.beat();
        }
        assertEquals(1, d.slots(), "delta's share: one each, the two left to the oldest");
        assertAtMost(6, first[0], first[1], first[2], d);
        assertEquals(6, heldInDb().size());
    }

    @Test
    void aPodRemovedByAReloadGivesItsSlotsBackAsItsSessionsEnd() throws SQLException {
        url = server.newDatabase("slots_removed");
        profiles(6);
        Runner a = new Runner("alpha", 3);
        a.beat();
        a.running = 1;
        a.noPods(); // a reload removed the pod
        a.beat();
        assertEquals(1, heldInDb().size(), "the slot of the running session stays until it ends");
        a.running = 0;
        a.beat();
        assertEquals(Map.of(), heldInDb());
    }
}
