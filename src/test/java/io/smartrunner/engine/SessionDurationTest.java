package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventRecord;
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
