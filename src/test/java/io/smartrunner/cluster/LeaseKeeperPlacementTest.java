package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ClusterSettings;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** runOn against a real PostgreSQL: pinned profiles end on the labelled runner, unpinned ones spread. */
class LeaseKeeperPlacementTest {
    private static final ClusterSettings TIMINGS = ClusterSettings.leases(15_000, 2_000, 10_000);
    private static final String LABEL = "adspower";
    private final PostgresServer server = PostgresServer.shared();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<String> said = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    /** Every configured profile, with its runOn (empty: any runner). */
    private final Map<String, List<String>> fleet = new HashMap<>();
    private String url;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A runner with labels: its store, membership and keeper, and a loop that takes every lease on at once. */
    private final class Runner {
        final List<String> labels;
        final Membership membership;
        final LeaseKeeper keeper;

        /** The profiles of the fleet this runner's config lists (null: all of them). */
        final Set<String> only;

        Runner(String name, List<String> labels) {
            this(name, labels, null);
        }

        Runner(String name, List<String> labels, Set<String> only) {
            this.labels = labels;
            this.only = only;
            PostgresStateStore store = PostgresStateStore.open(
                    StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host:/srv/" + name);
            open.add(store);
            membership = Membership.join(store.members(), runner(name, labels), TIMINGS, nanos::get, "host", 1,
                    said::add);
            keeper = new LeaseKeeper(store.leases(), membership.incarnation(), TIMINGS, nanos::get, said::add);
            membership.keep(keeper);
            store.fence(keeper);
            configure();
            keeper.attach(new LeaseHandoff() {
                @Override
                public void acquired(List<PostgresLeases.Acquired> leases) {
                    leases.forEach(a -> keeper.taken(a.profileId(), a.epoch()));
                }

                @Override
                public CompletableFuture<List<String>> giveBack(List<String> ids, int count) {
                    List<String> idle = ids.stream().sorted().limit(count).toList(); // pinned "a…" sort first
                    idle.forEach(keeper::dropped);
                    return CompletableFuture.completedFuture(idle);
                }
            });
        }

        /** What the engine's PlacementRule tells the keeper for this runner's labels. */
        void configure() {
            Set<String> eligible = new HashSet<>();
            Set<String> pinnedHere = new HashSet<>();
            Map<String, List<String>> pinned = new HashMap<>();
            Set<String> listed = only == null ? fleet.keySet() : only;
            fleet.forEach((id, runOn) -> {
                if (!listed.contains(id)) {
                    return;
                }
                boolean fits = runOn.isEmpty() || runOn.stream().anyMatch(labels::contains);
                if (!runOn.isEmpty()) {
                    pinned.put(id, runOn);
                }
                if (fits) {
                    eligible.add(id);
                    if (!runOn.isEmpty()) {
                        pinnedHere.add(id);
                    }
                }
            });
            keeper.configured(new Placement(eligible, pinnedHere, listed.size(), pinned, Placement.fingerprint(listed)));
        }

        void beat() {
            membership.sessionsFrom(() -> 0);
            membership.beatOnce();
        }

        Set<String> held() {
            return new TreeSet<>(fleet.keySet().stream().filter(keeper::mayRun).toList());
        }
    }

    private static RunnerSettings runner(String name, List<String> labels) {
        RunnerSettings d = RunnerSettings.defaults();
        return new RunnerSettings(5, Path.of("data"), d.eventLog(), d.eventLogFsync(), d.eventLogFsyncIntervalMs(),
                d.startJitterMs(), d.sqliteSynchronous(), d.fileMode(), d.eventLogMaxBytes(), d.eventLogKeep(),
                d.minFreeMemoryMb(), d.maxLoadPerCore(), name, labels);
    }

    private void profiles(int pinned, int unpinned) {
        for (int i = 1; i <= pinned; i++) {
            fleet.put(String.format("a%02d", i), List.of(LABEL));
        }
        for (int i = 1; i <= unpinned; i++) {
            fleet.put(String.format("p%02d", i), List.of());
        }
    }

    private static Set<String> pinned(Set<String> ids) {
        return new TreeSet<>(ids.stream().filter(id -> id.startsWith("a")).toList());
    }

    @Test
    void aRunnerWithoutTheLabelNeverTakesPinnedProfilesAndTheLabelledOneTakesThemAndItsShare() {
        url = server.newDatabase("placement_spread");
        profiles(3, 9);
        Runner plain = new Runner("plain", List.of());
        plain.beat();
        assertEquals(9, plain.held().size(), "alone, it takes every unpinned profile");
        assertEquals(Set.of(), pinned(plain.held()), "and no pinned one, though nobody else holds them");

        Runner ads = new Runner("ads", List.of(LABEL));
        ads.beat();
        assertEquals(Set.of("a01", "a02", "a03"), ads.held(), "pinned ones first; the unpinned ones are all held");
        plain.beat(); // 9 > share 6 + 1: gives unpinned ones back
        ads.beat();
        plain.beat();
        assertEquals(6, plain.held().size());
        assertEquals(6, ads.held().size(), "3 pinned + 3 unpinned: the fair share of 12 over two runners");
        assertEquals(Set.of("a01", "a02", "a03"), pinned(ads.held()));
        Set<String> all = new TreeSet<>(plain.held());
        all.addAll(ads.held());
        assertEquals(fleet.keySet(), all, "every profile is held, none twice");
    }

    @Test
    void theFairShareNeverMakesTheLabelledRunnerGiveBackPinnedProfiles() {
        url = server.newDatabase("placement_keep");
        profiles(3, 9);
        Runner ads = new Runner("ads", List.of(LABEL));
        ads.beat();
        assertEquals(12, ads.held().size(), "alone it takes all");
        Runner plain = new Runner("plain", List.of());
        plain.beat();
        ads.beat(); // 12 > share 6 + 1: gives back 6, all unpinned (the loop here gives the first ids, the pinned "a…")
        plain.beat();
        assertEquals(Set.of("a01", "a02", "a03"), pinned(ads.held()), "the pinned ones stay on the labelled runner");
        assertEquals(6, plain.held().size());
        assertEquals(6, ads.held().size());
    }

    @Test
    void aProfilePinnedByAReloadIsTakenByTheLabelledRunnerEvenAtItsFullShare() {
        url = server.newDatabase("placement_reload");
        profiles(0, 12);
        Runner plain = new Runner("plain", List.of());
        Runner ads = new Runner("ads", List.of(LABEL));
        plain.beat();
        ads.beat();
        plain.beat();
        ads.beat();
        assertEquals(6, plain.held().size());
        assertEquals(6, ads.held().size());
        String moved = plain.held().iterator().next();
        fleet.put(moved, List.of(LABEL)); // a reload pins one of plain's profiles to the label
        plain.configure();
        ads.configure();
        plain.beat(); // no longer configured here: given back
        assertFalse(plain.keeper.mayRun(moved));
        ads.beat(); // at its share of 6, yet it takes the pinned one: nobody else may run it
        assertTrue(ads.keeper.mayRun(moved), "the pinned profile is held by the only runner with its label");
        plain.beat();
        ads.beat();
        assertTrue(ads.keeper.mayRun(moved));
        assertEquals(12, plain.held().size() + ads.held().size(), "every profile held");
    }

    private static Set<String> ids(int from, int to) {
        Set<String> out = new TreeSet<>();
        for (int i = from; i <= to; i++) {
            out.add(String.format("p%02d", i));
        }
        return out;
    }

    /**
     * Machine A's config lists pod A's profiles, machine B's pod B's: each is the only runner that
     * may take its profiles, so it holds all of them. Before, each took its capacity's share of the
     * whole fleet (half of its list here) and the other half was run by nobody, without a word.
     */
    @Test
    void runnersWithDifferentProfileListsEachHoldAllOfTheirsAndRunnersWithOneListDivideIt() {
        url = server.newDatabase("placement_lists");
        profiles(0, 8);
        Runner a = new Runner("a", List.of(), ids(1, 4));
        Runner b = new Runner("b", List.of(), ids(5, 8));
        for (int i = 0; i < 2; i++) {
            a.beat();
            b.beat();
        }
        assertEquals(ids(1, 4), a.held());
        assertEquals(ids(5, 8), b.held());

        // a third machine with A's list: the two divide A's profiles, B keeps its own
        Runner a2 = new Runner("a2", List.of(), ids(1, 4));
        for (int i = 0; i < 3; i++) {
            a.beat();
            a2.beat();
            b.beat();
        }
        assertEquals(2, a.held().size(), a.held() + " " + a2.held());
        assertEquals(2, a2.held().size(), a.held() + " " + a2.held());
        Set<String> both = new TreeSet<>(a.held());
        both.addAll(a2.held());
        assertEquals(ids(1, 4), both);
        assertEquals(ids(5, 8), b.held());
    }

    /** Lists that overlap: nobody counts on the other for a profile, so every profile is held by one of them. */
    @Test
    void overlappingProfileListsLeaveNoProfileUnheld() {
        url = server.newDatabase("placement_overlap");
        profiles(0, 8);
        Runner a = new Runner("a", List.of(), ids(1, 6));
        Runner b = new Runner("b", List.of(), ids(3, 8));
        for (int i = 0; i < 3; i++) {
            a.beat();
            b.beat();
        }
        Set<String> all = new TreeSet<>(a.held());
        all.addAll(b.held());
        assertEquals(ids(1, 8), all, a.held() + " " + b.held());
        assertTrue(java.util.Collections.disjoint(a.held(), b.held()), a.held() + " " + b.held());
    }
}
