package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.cluster.LeaseHandoff;
import io.smartrunner.cluster.ProfileLeases;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Cluster mode, tick by tick: the loop starts at most the pod slots it holds and gives slots back only when idle. */
class PodSlotDutyTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeSlots leases = new FakeSlots();

    /** A keeper as the engine sees it: every lease held, and as many slots of each pod as the test says. */
    static final class FakeSlots implements ProfileLeases {
        final Map<String, Long> held = new ConcurrentHashMap<>();
        final TreeSet<Integer> slots = new TreeSet<>();
        volatile Map<String, Integer> concurrency;
        volatile Map<String, String> podOf;
        volatile LeaseHandoff loop;
        volatile Map<String, Integer> demand;

        @Override
        public boolean mayRun(String profileId) {
            return held.containsKey(profileId);
        }

        @Override
        public Long epoch(String profileId) {
            return held.get(profileId);
        }

        @Override
        public boolean clustered() {
            return true;
        }

        @Override
        public void attach(LeaseHandoff handoff) {
            loop = handoff;
        }

        @Override
        public void taken(String profileId, long epoch) {
            held.put(profileId, epoch);
        }

        @Override
        public void pods(Map<String, Integer> concurrency, Map<String, String> podOf) {
            this.concurrency = concurrency;
            this.podOf = podOf;
        }

        @Override
        public synchronized int podSlots(String pod) {
            return "podA".equals(pod) ? slots.size() : 0;
        }

        @Override
        public synchronized List<Integer> dropPodSlots(String pod, int count) {
            List<Integer> out = new ArrayList<>();
            while (out.size() < count && !slots.isEmpty()) {
                out.add(slots.pollLast());
            }
            return out;
        }

        @Override
        public void podDemand(Map<String, Integer> runnable) {
            demand = runnable;
        }

        synchronized void hold(int n) {
            slots.clear();
            for (int i = 0; i < n; i++) {
                slots.add(i);
            }
        }
    }

    private Supervisor supervisor(RunnerConfig config) {
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, d -> { }, Runnable::run,
                new FakeRecoveryActions(), null), leases);
        s.start();
        leases.loop.acquired(config.profiles().stream()
                .map(p -> new PostgresLeases.Acquired(p.id(), 1, null, null, null, null, List.of())).toList());
        return s;
    }

    private static RunnerConfig fourProfilesConcurrency3() {
        return TestConfig.builder().timeoutMs(60_000).cooldownMs(0).podLimit(3).pod("podA", "a", "b", "c", "d").build();
    }

    private long running() {
        return launcher.launched.stream().filter(p -> !p.onExit().isDone()).count();
    }

    @Test
    void theLoopStartsAtMostTheSlotsItHoldsAndTheKeeperLearnsThePods() {
        Supervisor s = supervisor(fourProfilesConcurrency3());
        assertEquals(Map.of("podA", 3), leases.concurrency);
        assertEquals("podA", leases.podOf.get("d"));
        s.step();
        s.step();
        assertEquals(0, launcher.launched.size(), "every lease held, but no slot of the pod: nothing starts");
        assertEquals(Map.of("podA", 4), leases.demand, "four profiles could run here: the keeper wants up to that many slots");
        leases.hold(1);
        s.step();
        s.step();
        assertEquals(1, running(), "one slot, one session, though the pod's concurrency is 3");
        leases.hold(2);
        s.step();
        s.step();
        assertEquals(2, running());
        leases.hold(5); // more slots than the concurrency (a reload lowered it): the concurrency still holds here
        s.step();
        s.step();
        assertEquals(3, running());
    }

    @Test
    void aSlotIsGivenBackOnlyOnceItsSessionEndedAndMeanwhileNoSessionStartsOnIt() throws Exception {
        Supervisor s = supervisor(fourProfilesConcurrency3());
        leases.hold(2);
        s.step();
        assertEquals(2, running());
        var first = leases.loop.giveBackSlots(Map.of("podA", 1));
        s.step();
        assertEquals(Map.of("podA", List.of()), first.get(1, TimeUnit.SECONDS), "both slots are busy: none given, no session cut short");
        assertEquals(2, running());
        launcher.launched.get(0).exit(0);
        s.step();
        s.step();
        assertEquals(1, running(), "the slot wanted back is held back from a new start");
        var second = leases.loop.giveBackSlots(Map.of("podA", 1));
        s.step();
        assertEquals(Map.of("podA", List.of(1)), second.get(1, TimeUnit.SECONDS), "idle now: given back");
        assertEquals(1, leases.podSlots("podA"));
        var enough = leases.loop.giveBackSlots(Map.of("podA", 0));
        s.step();
        enough.get(1, TimeUnit.SECONDS);
        assertEquals(1, running(), "one slot held, one session running");
    }
}
