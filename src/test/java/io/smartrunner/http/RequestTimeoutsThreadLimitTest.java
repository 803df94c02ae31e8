package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Under a process limit the scanner's thread could not be started once, and the slow-client guard
 * never scanned again after the limit had passed (a reviewer's half-sent request stayed open 30 s,
 * against 11.6 s on a healthy runner).
 */
class RequestTimeoutsThreadLimitTest {
    @Test
    void aScanThatCouldNotBeScheduledIsScheduledByTheNextConnection() throws Exception {
        AtomicInteger refusals = new AtomicInteger(1);
        ScheduledThreadPoolExecutor once = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                if (refusals.getAndDecrement() > 0) {
                    throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
                }
                return super.schedule(command, delay, unit);
            }
        };
        RequestTimeouts timeouts = new RequestTimeouts(5_000, () -> once);
        timeouts.start();
        try {
            assertFalse(timeouts.scanSoon(), "the thread could not be started");
            assertTrue(timeouts.scanSoon(), "the next connection schedules the scan");
        } finally {
            timeouts.stop();
        }
    }
}
