package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ended launches' clean-ups run together: one timer task for all that ended meanwhile. */
class CgroupRemovalsTest {
    /** How many tasks the timer thread began. */
    private final AtomicInteger tasks = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1) {
        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            tasks.incrementAndGet();
        }
    };

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void removalsSubmittedTogetherRunInOneTimerTaskAndOneThatThrowsKeepsNoneOfTheOthers() throws Exception {
        CgroupRemovals removals = new CgroupRemovals(timers);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        // submitted from the timer thread itself, so the batch cannot begin before all three are in
        timers.execute(() -> {
            removals.submit(() -> { ran.add("a"); done.countDown(); });
            removals.submit(() -> { done.countDown(); throw new IllegalStateException("rmdir failed"); });
            removals.submit(() -> { ran.add("c"); done.countDown(); });
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("a", "c"), ran);
        timers.submit(() -> { }).get(10, TimeUnit.SECONDS); // the timer thread is past the batch
        assertEquals(3, tasks.get(), "the submitting task, one batch, and this marker");

        CountDownLatch later = new CountDownLatch(1);
        removals.submit(later::countDown);
        assertTrue(later.await(10, TimeUnit.SECONDS), "a removal after a batch schedules the next one");
    }
}
