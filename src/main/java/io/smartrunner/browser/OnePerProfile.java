package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs a provider's calls for one profile one at a time, whatever thread makes them: a
 * closeOnPause close and the runner's exit close, a recovery step its timeout abandoned (its
 * worker still launching) and the next session's open. Overlapping, they closed one browser twice
 * (two events) and started two Chromiums in one user-data-dir, the second reading the first's
 * DevToolsActivePort. A call interrupted while it waits gives up. Thread-safe.
 */
final class OnePerProfile {
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    <T> T call(String profileId, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(profileId, id -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmartRunnerException("interrupted while waiting for another call on the browser of " + profileId);
        }
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    void run(String profileId, Runnable work) {
        call(profileId, () -> {
            work.run();
            return null;
        });
    }
}
