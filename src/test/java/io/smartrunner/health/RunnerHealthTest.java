package io.smartrunner.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Liveness and readiness from the loop's turns, start-up, durability problem and stop (manual clock). */
class RunnerHealthTest {
    /** A loop and a clock the test moves by hand. */
    static final class FakeLoop implements RunnerHealth.Loop {
        volatile boolean started;
        volatile long lastTurn;
        volatile String problem;
        volatile long now;

        @Override
        public boolean started() {
            return started;
        }

        @Override
        public long lastTurnNanos() {
            return lastTurn;
        }

        @Override
        public String problem() {
            return problem;
        }

        void advanceSeconds(long s) {
            now += TimeUnit.SECONDS.toNanos(s);
        }

        void turn() {
            lastTurn = now;
        }
    }

    private final FakeLoop loop = new FakeLoop();
    private final RunnerHealth health = new RunnerHealth(loop, () -> loop.now, 30_000);

    @Test
    void startingIsAliveButNotReady() {
        assertTrue(health.liveness().ok());
        Verdict ready = health.readiness();
        assertFalse(ready.ok());
        assertEquals(1, ready.reasons().size());
        assertTrue(ready.reasons().get(0).startsWith("starting"), ready.reasons().toString());
    }

    @Test
    void aLoopThatStopsTurningFailsLivenessAndReadinessAfterTheTimeout() {
        loop.started = true;
        loop.turn();
        loop.advanceSeconds(30);
        assertTrue(health.liveness().ok());
        assertEquals(Verdict.OK, health.readiness());
        loop.advanceSeconds(1);
        Verdict live = health.liveness();
        assertFalse(live.ok());
        assertEquals(List.of("the engine loop has not turned for 31 s (limit 30 s)"), live.reasons());
        assertEquals(live.reasons(), health.readiness().reasons());
        loop.turn();
        assertTrue(health.liveness().ok());
    }

    @Test
    void decisionsThatCannotBeMadeDurableAndStoppingMakeItNotReadyButStillAlive() {
        loop.started = true;
        loop.turn();
        loop.problem = "logs/events.jsonl: No space left on device";
        health.stopping();
        assertTrue(health.liveness().ok());
        assertEquals(List.of("decisions cannot be made durable: logs/events.jsonl: No space left on device", "stopping"),
                health.readiness().reasons());
    }

    @Test
    void theWatchdogQuestionFollowsTheLoopsTurns() {
        assertTrue(health.loopTurnedWithin(TimeUnit.SECONDS.toNanos(10)), "start-up is bounded by systemd instead");
        loop.started = true;
        loop.turn();
        loop.advanceSeconds(10);
        assertTrue(health.loopTurnedWithin(TimeUnit.SECONDS.toNanos(10)));
        loop.advanceSeconds(1);
        assertFalse(health.loopTurnedWithin(TimeUnit.SECONDS.toNanos(10)));
    }
}
