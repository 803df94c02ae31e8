package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The feeder's rule, one feed period at a time (no thread, no watchdog process): a stuck loop —
 * alive JVM, loop not turning — stops the feeds, so the watchdog fires; a turning loop feeds.
 */
class ProcessFenceTest {
    private final AtomicInteger feeds = new AtomicInteger();
    private final AtomicInteger wakes = new AtomicInteger();
    private final AtomicLong lastTurn = new AtomicLong(100);
    private boolean started;
    private final ProcessFence fence = new ProcessFence(null, feeds::incrementAndGet);

    @Test
    void feedsWhileStartingThenOnlyWhenTheLoopTurnedSinceTheLastFeed() {
        fence.tick();
        assertEquals(1, feeds.get(), "before the loop is known: fed");
        fence.watch(lastTurn::get, () -> started, wakes::incrementAndGet);
        fence.tick();
        fence.tick();
        assertEquals(3, feeds.get(), "start-up (reconcile) is fed whatever the loop does");
        assertEquals(2, wakes.get());

        started = true;
        fence.tick();
        assertEquals(4, feeds.get(), "the first turn after start-up");
        fence.tick();
        fence.tick();
        fence.tick();
        assertEquals(4, feeds.get(), "a stuck loop (no turn since the last feed) is not fed");
        assertEquals(6, wakes.get(), "but it is woken every period");

        lastTurn.set(200);
        fence.tick();
        assertEquals(5, feeds.get(), "it turned: fed again");
        fence.tick();
        assertEquals(5, feeds.get());
    }
}
