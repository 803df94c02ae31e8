package io.smartrunner.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/** A session child started by one of the OS launchers; it leads its own session and process group. */
final class OsRunningProcess implements RunningProcess {
    private final long pid;
    private final long startTicks;
    private final String sessionId;
    private final SessionOutput output;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<ExitStatus> exit;
    private final StopOnce stopOnce = new StopOnce();
    private final Placement placement;
    /** Made by {@link #termGroupAhead} (its group already signalled) or by the stop itself. */
    private SessionMembers members;

    OsRunningProcess(long pid, CompletableFuture<ExitStatus> exit, long startTicks, String sessionId,
                     SessionOutput output, ScheduledExecutorService timers, Placement placement) {
        this.placement = placement;
        this.pid = pid;
        this.exit = exit;
        this.startTicks = startTicks;
        this.sessionId = sessionId;
        this.output = output;
        this.timers = timers;
        output.heldBy(pid);
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
    public boolean contained() {
        return placement.contained();
    }

    Placement placement() {
        return placement;
    }

    @Override
    public boolean outputQuiet() {
        return !exit.isDone() && output.quiet();
    }

    @Override
    public void onOutputAfterQuiet(Runnable written) {
        output.onWrittenAfterQuiet(written);
    }

    @Override
    public long outputDropped() {
        return output.dropped();
    }

    @Override
    public long pollOutput() {
        if (exit.isDone()) { // the end's poll: a write the watch has not told of yet still counts
            output.ended();
        }
        return output.poll();
    }

    @Override
    public String stderrTail(int maxBytes) {
        return output.stderrTail(maxBytes);
    }

    @Override
    public void exitAsked(boolean asked) {
        placement.exitAsked(asked);
    }

    @Override
    public synchronized CompletableFuture<Void> stop(Duration grace) {
        Placement placement = Placement.of(pid);
        placement.stopping();
        return stopOnce.stop(toString(), members(placement), timers, grace, true, () -> placement.stopped(pid), exit);
    }

    @Override
    public synchronized Runnable termGroupAhead() {
        if (members != null) { // a stop (or an earlier call) made them: its group had its SIGTERM, or a stop sends it
            return null;
        }
        SessionMembers checked = members(Placement.of(pid));
        return checked.leaderLeadsItsGroup() ? checked::termCheckedGroup : null;
    }

    private SessionMembers members(Placement placement) {
        if (members == null) {
            members = new SessionMembers(pid, startTicks, sessionId, placement.cgroup());
        }
        return members;
    }

    @Override
    public String toString() {
        return "session " + sessionId + " (pid " + pid() + ")";
    }
}
