package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLogReader.Page;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Reviewer R14: eight filtered event reads at once (each reads the log's whole history for a
 * rare event) took both cores of a 10 000-profile runner from its sessions. One runs at a time;
 * an unfiltered page, which reads only its own lines, does not wait for it.
 */
class FilteredEventScansTest {
    private final CountDownLatch scanning = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger atOnce = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    private final EventPages log = new EventPages() {
        @Override
        public Page pageAfter(long after, int limit, EventFilter filter) {
            return pageBefore(after, limit, filter);
        }

        @Override
        public Page pageBefore(long before, int limit, EventFilter filter) {
            boolean filtered = filter.profileId() != null;
            if (filtered) {
                most.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                scanning.countDown();
                try {
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    atOnce.decrementAndGet();
                }
            }
            return new Page(List.of(), List.of(), 0, 0);
        }

        @Override
        public long end() {
            return 0;
        }

        @Override
        public boolean filtersByScanning() {
            return true;
        }
    };

    @Test
    void oneFilteredReadOfTheLogRunsAtATimeAndAnUnfilteredOneDoesNotWait() throws Exception {
        EventsRoute route = new EventsRoute(log, new NewEvents(), 10_000);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> route.page("profile=p1"));
        assertTrue(scanning.await(30, TimeUnit.SECONDS));
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> route.page("profile=p2"));

        io.smartrunner.testkit.Await.until("the second filtered read waits its turn", java.time.Duration.ofSeconds(30),
                () -> route.scansWaiting() == 1);

        assertEquals("{\"events\":[],\"first\":0,\"next\":0}", route.page("limit=5"), "unfiltered: answered at once");
        assertFalse(second.isDone());
        release.countDown();

        assertEquals("{\"events\":[],\"first\":0,\"next\":0}", first.get(30, TimeUnit.SECONDS));
        assertEquals("{\"events\":[],\"first\":0,\"next\":0}", second.get(30, TimeUnit.SECONDS));
        assertEquals(1, most.get(), "never two filtered reads at once");
    }
}
