package io.smartrunner.event;

import io.smartrunner.DaemonThreads;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@code INTERVAL} fsync policy: a daemon thread forces the log at most an interval after
 * anything was written, like Redis' {@code appendfsync everysec}. It is woken only then: an idle
 * runner's log needs no tick a second (that was a sixth of an idle runner's wake-ups). A failed
 * force is kept for the writer to report, since this thread has nobody to throw to.
 */
final class IntervalFsync implements AutoCloseable {
    private final Supplier<FileChannel> channel;
    private final AtomicBoolean dirty = new AtomicBoolean();
    /** A force is scheduled: the writes from now on are in it. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final long intervalMs;
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final ScheduledExecutorService thread;

    IntervalFsync(Supplier<FileChannel> channel, long intervalMs) {
        this.channel = channel;
        this.intervalMs = intervalMs;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(
                1, DaemonThreads.named("event-log-fsync"));
        // a close does not wait for the scheduled force: the writer forces on close itself
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = executor;
    }

    /** Something was appended: forced within the interval. */
    void written() {
        dirty.set(true);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                thread.schedule(this::forceIfDirty, intervalMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                scheduled.set(false); // closing: the writer forces on close
            }
        }
    }

    /** Whether a force is scheduled (nothing is while nothing was written since the last one). */
    boolean forceScheduled() {
        return scheduled.get();
    }

    /** The failure of a background force since the last call, or null. */
    IOException takeFailure() {
        return failure.getAndSet(null);
    }

    /** The scheduled force. Never throws: the thread has nobody to throw to. */
    void forceIfDirty() {
        scheduled.set(false); // first: a write from now on schedules the next force
        if (dirty.getAndSet(false)) {
            try {
                channel.get().force(false);
            } catch (ClosedChannelException e) {
                dirty.set(true); // the writer is reopening it (interrupted mid-write): retry next tick
                schedule();
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
