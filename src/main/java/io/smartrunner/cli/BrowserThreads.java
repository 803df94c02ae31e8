package io.smartrunner.cli;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The pool that opens and closes browsers: opens wait for their browsers, so they run side by
 * side, but a thread is made only when none is idle, up to a cap, and one idle for a minute goes;
 * past the cap, work waits in line. (A {@link ThreadPoolExecutor} with core threads makes one per
 * task until it has them all, and a trickle of opens then keeps every one of them alive: the demo
 * fleet of five profiles held 32.)
 */
final class BrowserThreads {
    private static final long IDLE_SECONDS = 60;

    private BrowserThreads() {
    }

    static ThreadPoolExecutor create(int max, ThreadFactory threads) {
        GrowFirstQueue queue = new GrowFirstQueue();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, max, IDLE_SECONDS, TimeUnit.SECONDS, queue, threads,
                (task, executor) -> { // at the cap (or raced to it): in line, unless the pool is shut down
                    if (executor.isShutdown() || !queue.enqueue(task)) {
                        throw new RejectedExecutionException("the browser threads are shut down");
                    }
                });
        queue.pool = pool;
        return pool;
    }

    /** Refuses a task while no thread is idle and the pool may grow, so that it grows. */
    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        private volatile ThreadPoolExecutor pool;

        @Override
        public boolean offer(Runnable task) {
            ThreadPoolExecutor p = pool;
            if (p != null && p.getPoolSize() < p.getMaximumPoolSize() && p.getActiveCount() >= p.getPoolSize()) {
                return false;
            }
            return super.offer(task);
        }

        boolean enqueue(Runnable task) {
            return super.offer(task);
        }
    }
}
