package io.smartrunner.engine;

import java.util.concurrent.TimeUnit;

/**
 * When to try the event log and store again after a failed write: 50 ms after the first failure,
 * doubling up to 5 s, back to 50 ms after a success. Without it a full disk turned the loop into
 * a spin of ~40 000 failed appends a second (issue #9). Loop thread only.
 */
final class WriteBackoff {
    static final long FIRST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

    private long delayNanos = FIRST_NANOS;
    private boolean failing;
    private long retryAtNanos;

    /** Whether a write may be tried at {@code nowNanos}: always, unless the last one failed and its pause runs. */
    boolean due(long nowNanos) {
        return !failing || nowNanos - retryAtNanos >= 0;
    }

    /** The last try failed at {@code nowNanos}: wait the current delay, and twice as long after the next failure. */
    void failed(long nowNanos) {
        failing = true;
        retryAtNanos = nowNanos + delayNanos;
        delayNanos = Math.min(MAX_NANOS, delayNanos * 2);
    }

    void succeeded() {
        failing = false;
        delayNanos = FIRST_NANOS;
    }

    boolean failing() {
        return failing;
    }

    /** When the next try is due; only meaningful while {@link #failing()}. */
    long retryAtNanos() {
        return retryAtNanos;
    }
}
