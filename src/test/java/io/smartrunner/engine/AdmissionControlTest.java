package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.admission.HostPressure;
import io.smartrunner.admission.HostReading;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Admission control in the loop, tick by tick: an injected reading, manual clock, fake launcher. */
class AdmissionControlTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final HostReading PLENTY = new HostReading(8192, 0.1);
    private static final HostReading SHORT = new HostReading(100, 0.1);
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeRecoveryActions actions = new FakeRecoveryActions();
    private volatile HostReading reading = PLENTY;
    private final List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Supervisor supervisor(RunnerConfig config) {
        HostPressure host = () -> reading;
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(3), Path.of("target/test-logs"), e -> { }, said::add, Runnable::run, actions, null,
                EndedInLog.none(), host));
        s.start();
        return s;
    }

    private List<String> runnerEvents() {
        return sink.events.stream().filter(e -> e.type().equals("runner")).map(EventRecord::event).toList();
    }

    @Test
    void noSessionStartsUnderTheMemoryFloorRunningOnesGoOnAndStartsResumeByThemselves() {
        Supervisor s = supervisor(TestConfig.builder().globalLimit(3).podLimit(3).cooldownMs(0).timeoutMs(600_000)
                .pod("podA", "a", "b", "c", "d").build());
        s.step();
        assertEquals(3, launcher.launched.size());
        reading = SHORT;
        launcher.launched.get(0).exit(0); // a's session ends: its slot would go to d at once
        time.advanceMillis(1_000);
        s.step();
        assertEquals(3, launcher.launched.size(), "no new session under the memory floor");
        assertEquals(List.of("pressure"), runnerEvents());
        assertTrue(s.admission().held());
        long now = time.nanoTime();
        assertEquals(now + TimeUnit.SECONDS.toNanos(1), s.nextWakeNanos(now), "held starts wait for the next reading, no spin");

        launcher.launched.get(1).exit(0); // running sessions go on and end as usual
        for (int i = 0; i < 5; i++) {
            time.advanceMillis(1_000);
            s.step();
        }
        assertEquals(3, launcher.launched.size());
        assertEquals(List.of("pressure"), runnerEvents(), "one event per episode");
        assertEquals(List.of("start", "finish"), sink.names("b"));

        reading = PLENTY;
        time.advanceMillis(1_000);
        s.step();
        assertEquals(List.of("pressure", "pressure-end"), runnerEvents());
        assertEquals(5, launcher.launched.size(), "the held profiles start by themselves");
        EventRecord end = sink.events.stream().filter(e -> e.event().equals("pressure-end")).findFirst().orElseThrow();
        assertEquals(6_000L, end.params().get("heldForMs"));
        assertEquals(2, end.params().get("sessionsDelayed"));
        assertFalse(s.admission().held());
        assertEquals(2, s.admission().delayedTotal());
        // and in the runner's journal, once each (the events' messages)
        assertEquals(1, said.stream().filter(l -> l.startsWith("new sessions held: MemAvailable")).count(), said.toString());
        assertTrue(said.contains("new sessions resume after 6000 ms held; 2 delayed"), said.toString());
    }

    @Test
    void newRecoveryEpisodesWaitOutThePressureToo() {
        Supervisor s = supervisor(TestConfig.builder().cooldownMs(0).maxErrorStreak(10).retryBackoffMs(0)
                .steps("reopen").verify(new VerifyConfig.Command(List.of("check"))).pod("podA", "p1").build());
        s.step();
        reading = SHORT;
        launcher.last().exit(1);
        time.advanceMillis(1_000); // the last reading (at the start) is a second old
        s.step();
        assertTrue(s.admission().held());
        time.advanceMillis(1_000);
        s.step();
        assertEquals(List.of(), actions.names(), "no ladder step (it may open a browser) under pressure");
        reading = PLENTY;
        time.advanceMillis(1_000);
        s.step();
        s.step();
        assertEquals(List.of("step:reopen"), actions.names());
    }

    @Test
    void aHostWithRoomStartsAsBeforeAndSaysNothing() {
        Supervisor s = supervisor(TestConfig.builder().pod("podA", "a", "b").build());
        s.step();
        assertEquals(2, launcher.launched.size());
        time.advance(Duration.ofSeconds(5));
        s.step();
        assertEquals(List.of(), runnerEvents());
    }
}
