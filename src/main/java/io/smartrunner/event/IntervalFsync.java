package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@code INTERVAL} fsync policy: a daemon thread forces the log every interval if anything
 * was written since the last force, like Redis' {@code appendfsync everysec}. A failed force is
 * kept for the writer to report, since this thread has nobody to throw to.
 */
final class IntervalFsync implements AutoCloseable {
    private final Supplier<FileChannel> channel;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final ScheduledExecutorService thread;

    IntervalFsync(Supplier<FileChannel> channel, long intervalMs) {
        this.channel = channel;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-log-fsync");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::forceIfDirty, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Something was appended: force it at the next tick. */
    void written() {
        dirty.set(true);
    }

    /** The failure of a background force since the last call, or null. */
    IOException takeFailure() {
        return failure.getAndSet(null);
    }

    /** One tick. Never throws: an exception would cancel the schedule. */
    void forceIfDirty() {
        if (dirty.getAndSet(false)) {
            try {
                channel.get().force(false);
            } catch (ClosedChannelException e) {
                dirty.set(true); // the writer is reopening it (interrupted mid-write): retry next tick
            } catch (IOException e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** Stops the thread, letting a force in progress finish. */
    @Override
    public void close() {
        // shutdown, not shutdownNow: interrupting a force() would close the channel under the writer.
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
