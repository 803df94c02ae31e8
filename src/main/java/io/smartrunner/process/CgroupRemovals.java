package io.smartrunner.process;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the clean-up of launches that ended (their cgroups' removal) on the timer thread, a few
 * milliseconds after the end, everything that ended meanwhile in one go: a task of its own for
 * each end woke that thread once per restart in a crash loop. Thread-safe.
 */
final class CgroupRemovals {
    static final long BATCH_MS = 10;
    private final ScheduledExecutorService timers;
    private final ConcurrentLinkedQueue<Runnable> due = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    CgroupRemovals(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    /** Runs {@code removal} on the timer thread within about {@link #BATCH_MS}. */
    void submit(Runnable removal) {
        due.add(removal);
        if (scheduled.compareAndSet(false, true)) {
            timers.schedule(this::runDue, BATCH_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs what is due now, on the calling thread (the runner's end: what ended last is said before it stops). */
    void runNow() {
        runDue();
    }

    private void runDue() {
        scheduled.set(false); // a removal submitted from here on schedules the next batch
        for (Runnable removal = due.poll(); removal != null; removal = due.poll()) {
            try {
                removal.run();
            } catch (RuntimeException e) {
                // one cgroup that could not be removed does not keep the others (the runner's stop removes it)
            }
        }
    }
}
