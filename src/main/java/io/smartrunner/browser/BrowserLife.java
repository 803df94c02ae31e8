package io.smartrunner.browser;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open browser's life as its provider tracks it: when it started, how many sessions it has
 * served and whether it was asked to end (an exit after that is no crash). Thread-safe.
 */
final class BrowserLife {
    private final Long pid;
    private final long startedNanos;
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile boolean ending;

    /** @param pid the local browser's main process, or null (remote) */
    BrowserLife(Long pid, long startedNanos) {
        this.pid = pid;
        this.startedNanos = startedNanos;
    }

    Long pid() {
        return pid;
    }

    long ageMs(long nowNanos) {
        return TimeUnit.NANOSECONDS.toMillis(nowNanos - startedNanos);
    }

    int sessions() {
        return sessions.get();
    }

    void served() {
        sessions.incrementAndGet();
    }

    /** The runner is ending this browser: its exit from now on is expected. */
    void ending() {
        ending = true;
    }

    /** Asking it to end failed and it is still running: a later exit is a crash again. */
    void notEnding() {
        ending = false;
    }

    boolean endingAsked() {
        return ending;
    }
}
