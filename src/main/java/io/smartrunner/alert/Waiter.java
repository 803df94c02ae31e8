package io.smartrunner.alert;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How the sender waits between retries: the real one waits on a latch that {@link #wake()} opens
 * (a stopping sender waits no more); a test's records the delay and returns at once.
 */
interface Waiter {
    /** Waits up to {@code millis}, less when woken. */
    void await(long millis) throws InterruptedException;

    /** Ends the current and every later wait at once. */
    void wake();

    /** Waits for real until woken. Thread-safe. */
    static Waiter real() {
        CountDownLatch woken = new CountDownLatch(1);
        return new Waiter() {
            @Override
            public void await(long millis) throws InterruptedException {
                woken.await(millis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void wake() {
                woken.countDown();
            }
        };
    }
}
