package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** durMs is how long the child ran, not how long until the loop saw it end (issue #9, point 9). */
class SessionDurationTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final RecordingEventSink sink = new RecordingEventSink();

    private Supervisor supervisor() {
        RunnerConfig config = TestConfig.builder().cooldownMs(600_000).pod("podA", "p1").build();
        Supervisor s = new Supervisor(config, new SupervisorDeps(new InMemoryStateStore(), sink, launcher,
                new FakeProcessTable(), time, new Random(7), Path.of("target/test-logs"), events -> { }, m -> { },
                Runnable::run, new FakeRecoveryActions(), null));
        s.start();
        return s;
    }

    private EventRecord end() {
        return sink.events.stream().filter(e -> e.event().equals("finish") || e.event().equals("error"))
                .findFirst().orElseThrow();
    }

    @Test
    void aSessionThatEndedWhileTheLoopWasFrozenIsTimedToItsExit() {
        Supervisor s = supervisor();
        s.step();
        long started = time.nanoTime();
        time.advance(Duration.ofSeconds(3)); // the runner is frozen for 3 s; the child exited 200 ms in
        launcher.last().exitAt(0, started + Duration.ofMillis(200).toNanos());
        s.step();
        assertEquals(200L, end().durMs());
    }

    /**
     * Reviewer R18: a turn's write that waited on the store (cluster mode, PostgreSQL away) was
     * followed by the exits that came meanwhile, handled at the turn's starting time: an exit 2 s
     * later was clamped to it, durMs up to 1.97 s short and the event dated before the child exited.
     */
    @Test
    void anExitThatCameWhileTheTurnsWriteWaitedIsTimedAndDatedAfterIt() {
        Runnable[] duringTheWrite = {null};
        EventSink slowStore = new EventSink() {
            @Override
            public void append(java.util.List<EventRecord> batch) {
                sink.append(batch);
                Runnable r = duringTheWrite[0];
                duringTheWrite[0] = null;
                if (r != null) {
                    r.run();
                }
            }

            @Override
            public void close() {
            }
        };
        RunnerConfig config = TestConfig.builder().cooldownMs(600_000).pod("podA", "p1", "p2").build();
        Supervisor s = new Supervisor(config, new SupervisorDeps(new InMemoryStateStore(), slowStore, launcher,
                new FakeProcessTable(), time, new Random(7), Path.of("target/test-logs"), events -> { }, m -> { },
                Runnable::run, new FakeRecoveryActions(), null));
        s.start();
        s.step();
        FakeLauncher.FakeProcess p1 = launcher.launched.get(0);
        FakeLauncher.FakeProcess p2 = launcher.launched.get(1);
        long started = time.nanoTime();
        time.advanceMillis(1_000);
        duringTheWrite[0] = () -> { // the write of p1's end waits 2 s on the store; p2 exits meanwhile
            time.advanceMillis(2_000);
            p2.exitAt(0, time.nanoTime());
        };
        p1.exit(1);
        s.step();
        EventRecord p2End = sink.events.stream().filter(e -> e.event().equals("finish")).findFirst().orElseThrow();
        assertEquals(3_000L, p2End.durMs(), "p2 ran 3 s");
        assertEquals(T0.plusSeconds(3), p2End.ts(), "dated when the loop saw it, after the write");
        assertEquals(started + Duration.ofSeconds(3).toNanos(), time.nanoTime());
    }

    @Test
    void withoutAnExitTimeTheLoopsTimeIsUsedAsBefore() {
        Supervisor s = supervisor();
        s.step();
        time.advanceMillis(1_500);
        launcher.last().exit(1);
        s.step();
        assertEquals(1_500L, end().durMs());
    }

    @Test
    void anExitTimeBeforeTheSessionWasSeenStartingCountsAsZeroNotNegative() {
        Supervisor s = supervisor();
        s.step();
        long started = time.nanoTime();
        time.advanceMillis(10);
        launcher.last().exitAt(0, started - 5_000_000);
        s.step();
        assertEquals(0L, end().durMs());
    }
}
