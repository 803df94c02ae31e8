package io.smartrunner.fleet;

import io.smartrunner.DaemonThreads;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.time.TimeSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for relayed controls' results, every waiting control in one query per check: a runner's
 * API relaying a whole pod (a thousand controls) asks the database once every
 * {@link #CHECK_EVERY_MS}, not a thousand times, and holds one thread, not a thousand. The thread
 * ({@code sr-control-wait}) runs while something waits and parks otherwise.
 */
final class AppliedWaits implements AutoCloseable {
    static final long CHECK_EVERY_MS = 50;

    private record Waiting(CompletableFuture<PostgresControls.Applied> applied, long deadlineNanos) {
    }

    private final PostgresControls controls;
    private final TimeSource time;
    private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    AppliedWaits(PostgresControls controls, TimeSource time) {
        this.controls = controls;
        this.time = time;
        this.thread = DaemonThreads.daemon(this::run, "sr-control-wait");
        thread.start();
    }

    /**
     * The control's result once its holder wrote it; completed with null when none was written
     * within {@code waitMs} (the control stays queued), exceptionally when the database cannot be read.
     */
    CompletableFuture<PostgresControls.Applied> await(long seq, long waitMs) {
        CompletableFuture<PostgresControls.Applied> applied = new CompletableFuture<>();
        waiting.put(seq, new Waiting(applied, time.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs)));
        LockSupport.unpark(thread);
        return applied;
    }

    private void run() {
        while (!closed) {
            if (waiting.isEmpty()) {
                LockSupport.park(this);
                continue;
            }
            check();
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MS));
        }
    }

    private void check() {
        Map<Long, PostgresControls.Applied> done;
        try {
            done = controls.applied(waiting.keySet());
        } catch (RuntimeException e) {
            // every waiter hears it: the API answers each as it would a failed read of its own
            waiting.keySet().forEach(seq -> {
                Waiting w = waiting.remove(seq);
                if (w != null) {
                    w.applied().completeExceptionally(e);
                }
            });
            return;
        }
        long now = time.nanoTime();
        waiting.forEach((seq, w) -> {
            PostgresControls.Applied a = done.get(seq);
            if (a != null || now - w.deadlineNanos() >= 0) {
                waiting.remove(seq);
                w.applied().complete(a);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
