package io.smartrunner.process;

import io.smartrunner.DaemonThreads;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one daemon timer thread the process package uses by default: stop grace periods and
 * re-scans run on it, so no caller thread sleeps and no thread exists per process.
 */
final class ProcessTimers {
    private static final ScheduledExecutorService SHARED = create();

    private ProcessTimers() {
    }

    static ScheduledExecutorService shared() {
        return SHARED;
    }

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(
                1, DaemonThreads.named("sr-process-timers"));
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }
}
