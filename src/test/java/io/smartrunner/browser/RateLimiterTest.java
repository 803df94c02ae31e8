package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The limiter on a fake clock whose sleeper advances it: no real waiting. */
class RateLimiterTest {
    private static final long MS = 1_000_000;
    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final List<Long> slept = new ArrayList<>();
    private final RateLimiter limiter = new RateLimiter(5.0, clock::get, nanos -> {
        synchronized (slept) {
            slept.add(nanos);
        }
    });

    @Test
    void firstRequestGoesAtOnceAndABurstIsSpacedByOneOverRate() throws Exception {
        limiter.acquire();
        limiter.acquire();
        limiter.acquire();
        assertEquals(List.of(200 * MS, 400 * MS), slept, "the 2nd and 3rd wait for their slots");
    }

    @Test
    void aRequestAfterTheIntervalHasPassedDoesNotWait() throws Exception {
        limiter.acquire();
        clock.addAndGet(250 * MS);
        limiter.acquire();
        assertEquals(List.of(), slept);
    }

    @Test
    void aRequestInsideTheIntervalWaitsOnlyForWhatIsLeftOfIt() throws Exception {
        limiter.acquire();
        clock.addAndGet(150 * MS);
        limiter.acquire();
        assertEquals(List.of(50 * MS), slept);
    }

    @Test
    void aQuietSpellBanksNoSlotsSoTheNextBurstIsSpacedToo() throws Exception {
        limiter.acquire();
        clock.addAndGet(10_000 * MS);
        limiter.acquire();
        limiter.acquire();
        assertEquals(List.of(200 * MS), slept);
    }

    @Test
    void slotsAreComputedOnDifferencesSoANegativeOrWrappingClockWorks() {
        RateLimiter wrapping = new RateLimiter(10.0, () -> 0, n -> { });
        assertEquals(0, wrapping.reserve(Long.MAX_VALUE - 10 * MS));
        assertEquals(100 * MS - 5 * MS, wrapping.reserve(Long.MAX_VALUE - 5 * MS));
        long pastTheWrap = Long.MIN_VALUE + 5 * MS; // Long.MAX_VALUE + 5 ms + 1 ns; the slot is MAX + 190 ms
        assertEquals(185 * MS - 1, wrapping.reserve(pastTheWrap));
    }

    @Test
    void concurrentCallersGetDistinctSlotsOneIntervalApart() throws Exception {
        RateLimiter shared = new RateLimiter(2.0, () -> 0, n -> { });
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> waits = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                waits.add(pool.submit((Callable<Long>) () -> shared.reserve(0)));
            }
            List<Long> got = new ArrayList<>();
            for (Future<Long> w : waits) {
                got.add(w.get(10, TimeUnit.SECONDS));
            }
            got.sort(null);
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i * 500 * MS, got.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRateOfZeroOrLessIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, () -> 0, n -> { }));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(Double.NaN, () -> 0, n -> { }));
    }
}
