package io.smartrunner.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process tree a previous runner of the same data dir started and left running (a browser
 * kept with closeOnExit false), taken over by this runner. Not our child, so its exit is noticed
 * by polling /proc (pid plus start time, so a reused pid reads as exited) and its exit code is
 * unknown; stopping it stops its whole tree exactly like a session's. Its output keeps going to
 * the files the previous runner opened; nobody polls them.
 */
final class AdoptedProcess implements RunningProcess {
    static final long EXIT_POLL_MS = 250;
    /** What an adopted process reports on exit: not our child, so the code is unknown. */
    static final ExitStatus UNKNOWN_EXIT = ExitStatus.exited(-1);

    private final long pid;
    private final long startTicks;
    private final String sessionId;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final StopOnce stopOnce = new StopOnce();
    private final ScheduledFuture<?> poll;

    AdoptedProcess(long pid, long startTicks, String sessionId, ScheduledExecutorService timers) {
        this.pid = pid;
        this.startTicks = startTicks;
        this.sessionId = sessionId;
        this.timers = timers;
        this.poll = timers.scheduleWithFixedDelay(this::checkAlive, 0, EXIT_POLL_MS, TimeUnit.MILLISECONDS);
        exit.whenComplete((status, error) -> poll.cancel(false));
    }

    private void checkAlive() {
        if (ProcFs.exited(pid, startTicks)) {
            exit.complete(UNKNOWN_EXIT);
        }
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public long startTicks() {
        return startTicks;
    }

    @Override
    public boolean exitedByNow() {
        return exit.isDone() || ProcFs.exited(pid, startTicks);
    }

    @Override
    public long pgid() {
        return pid;
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    @Override
    public long pollOutput() {
        return 0;
    }

    @Override
    public String stderrTail(int maxBytes) {
        return "";
    }

    @Override
    public CompletableFuture<Void> stop(Duration grace) {
        SessionCgroup cgroup = Containment.existingCgroup(sessionId);
        return stopOnce.stop(toString(), new SessionMembers(pid, startTicks, sessionId, cgroup), timers, grace, false, () -> {
            checkAlive();
            if (cgroup != null) {
                cgroup.remove();
            }
        }, null);
    }

    @Override
    public String toString() {
        return "adopted " + sessionId + " (pid " + pid + ")";
    }
}
