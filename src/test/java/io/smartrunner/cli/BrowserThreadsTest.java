package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BrowserThreadsTest {
    private final ThreadPoolExecutor pool = BrowserThreads.create(4, r -> {
        Thread t = new Thread(r, "test-browser");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void shutDown() {
        pool.shutdownNow();
    }

    @Test
    void oneOpenAfterAnotherKeepsOneThread() throws Exception {
        for (int i = 0; i < 20; i++) {
            CountDownLatch done = new CountDownLatch(1);
            pool.execute(done::countDown);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            Await.until("the thread idle again", Duration.ofSeconds(10), () -> pool.getActiveCount() == 0);
        }
        assertEquals(1, pool.getLargestPoolSize(), "a thread was idle for every open");
    }

    @Test
    void opensThatWaitGetAThreadEachUpToTheCapThenWaitInLine() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(4);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 6; i++) {
            pool.execute(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.incrementAndGet();
            });
        }
        assertTrue(running.await(10, TimeUnit.SECONDS), "four hanging opens side by side");
        assertEquals(4, pool.getPoolSize());
        assertEquals(2, pool.getQueue().size(), "the other two wait in line");
        release.countDown();
        Await.until("all six ran", Duration.ofSeconds(10), () -> ran.get() == 6);
        assertEquals(4, pool.getLargestPoolSize());
    }

    @Test
    void aShutDownPoolRefusesWork() {
        pool.shutdown();
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }
}
