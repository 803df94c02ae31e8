package io.smartrunner.http;

import io.smartrunner.event.EventRecord;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells waiting event streams that the log grew. Subscribed to the runner's event fan-out, so it
 * is called on the loop thread and only bumps a counter; the streams read the log themselves.
 */
public final class NewEvents implements Consumer<List<EventRecord>> {
    private long generation;

    @Override
    public synchronized void accept(List<EventRecord> written) {
        generation++;
        notifyAll();
    }

    synchronized long generation() {
        return generation;
    }

    /** Waits until the generation moves past {@code seen} or {@code millis} pass. */
    synchronized void awaitAfter(long seen, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (generation == seen) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }
}
