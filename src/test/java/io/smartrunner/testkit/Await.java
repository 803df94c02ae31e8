package io.smartrunner.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The one bounded poll of the tests: wait for something a real process does, never a fixed sleep. */
public final class Await {
    private static final long POLL_MS = 10;
    /**
     * The shortest bound: a bound only says when to give up, so it costs nothing while things work,
     * and on a loaded 2-core CI machine a runner's JVM start and a reload have taken over 20 s.
     */
    private static final Duration AT_LEAST = Duration.ofSeconds(60);

    private Await() {
    }

    /**
     * Polls {@code condition} every 10 ms until it holds; fails the test naming {@code what} after
     * {@code within} (at least 60 s).
     */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + (within.compareTo(AT_LEAST) < 0 ? AT_LEAST : within).toNanos();
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
