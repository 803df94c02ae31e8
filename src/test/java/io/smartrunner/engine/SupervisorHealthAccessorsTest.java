package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.health.RunnerHealth;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the health checks read from the loop: start-up done, and the time of its last turn. */
class SupervisorHealthAccessorsTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2025-01-08T10:30:00Z"));

    @Test
    void startedAfterStartUpAndEachStepRecordsItsTurn() {
        RunnerConfig config = TestConfig.builder().command("worker", "{profileId}").timeoutMs(60_000)
                .cooldownMs(1_000).pod("podA", "p1").build();
        Supervisor s = new Supervisor(config, new SupervisorDeps(new InMemoryStateStore(), new RecordingEventSink(),
                new FakeLauncher(), new FakeProcessTable(), time, new Random(7), Path.of("target/test-logs"),
                events -> { }, line -> { }, Runnable::run, new FakeRecoveryActions(), null));
        RunnerHealth health = new RunnerHealth(new RunnerHealth.Loop() {
            @Override
            public boolean started() {
                return s.started();
            }

            @Override
            public long lastTurnNanos() {
                return s.lastTurnNanos();
            }

            @Override
            public String problem() {
                return s.problem();
            }
        }, time::nanoTime, 30_000);
        assertFalse(s.started());
        assertFalse(health.readiness().ok());
        s.start();
        assertTrue(s.started());
        assertEquals(time.nanoTime(), s.lastTurnNanos());
        assertTrue(health.readiness().ok(), health.readiness().reasons().toString());
        time.advanceMillis(31_000);
        assertFalse(health.liveness().ok(), "no turn for 31 s");
        s.step();
        assertEquals(time.nanoTime(), s.lastTurnNanos());
        assertTrue(health.liveness().ok());
    }
}
