package io.smartrunner.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The one bounded poll of the tests: wait for something a real process does, never a fixed sleep. */
public final class Await {
    private static final long POLL_MS = 10;

    private Await() {
    }

    /** Polls {@code condition} every 10 ms until it holds; fails the test naming {@code what} after {@code within}. */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}
