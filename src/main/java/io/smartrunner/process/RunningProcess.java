package io.smartrunner.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A started child and handles on its whole process tree. Thread-safe. */
public interface RunningProcess {
    long pid();

    /** Field 22 of /proc/PID/stat at launch: with the pid, identifies this process across a runner crash. */
    long startTicks();

    /** The process group (and session) id; equal to the pid. */
    long pgid();

    /**
     * Whether the child itself is stopped by a signal (SIGSTOP, SIGTSTP, a tracer): it cannot
     * answer anything until it is continued. False once it has exited.
     */
    default boolean signalStopped() {
        return ProcFs.signalStopped(pid());
    }

    /** Completes when the child itself (not its descendants) has exited. */
    CompletableFuture<ExitStatus> onExit();

    /**
     * Whether the child has exited, also when {@link #onExit()} has not said so yet (a zombie, or
     * reaped with its exit on the way): a runner frozen past a session's deadline (SIGSTOP, a swap
     * storm, a paused VM) looks at its timers before the exit reaches it, and a session that ended
     * by itself meanwhile was neither timed out nor hung.
     */
    default boolean exitedByNow() {
        return onExit().isDone();
    }

    /**
     * Whether the child ran in a cgroup of its own that is killed when it exits by itself, so
     * that nothing it left in its process group outlives it; known once {@link #onExit()} has
     * completed. Then no /proc sweep for its leftovers is needed ({@code LeftoverSweep}).
     */
    default boolean contained() {
        return false;
    }

    /**
     * Total bytes the session has written to stdout and stderr so far (never decreases, rotation
     * included). Also rotates a log file that has grown past its cap. Cheap: two stat calls.
     */
    long pollOutput();

    /**
     * Whether the session's output files are watched and untouched since polls found them
     * unchanged, so a poll would find nothing new: the timers skip it. Cheap: no system call but,
     * at most once a millisecond, one read of the watch.
     */
    default boolean outputQuiet() {
        return false;
    }

    /**
     * Runs {@code written} when a file of the session's output that polls had found quiet (and so
     * stopped looking at, {@link #outputQuiet}) is written again: its caller, which polls quiet
     * sessions seldom, then polls this one soon, so that a burst after a quiet spell does not run
     * unchecked past the log's cap until the next quiet poll. Runs on another thread and must not
     * block; may run for a write the next poll would have seen anyway.
     */
    default void onOutputAfterQuiet(Runnable written) {
    }

    /**
     * Bytes of the session's output that its logs' rotations dropped so far: written between two
     * polls, more than {@code logKeepFiles} files of {@code logMaxBytes} hold (the oldest go).
     */
    default long outputDropped() {
        return 0;
    }

    /** The last {@code maxBytes} of what the session wrote to stderr, as text (lossy UTF-8). */
    String stderrTail(int maxBytes);

    /**
     * Stops the whole tree: SIGTERM to the process group, the descendants and every process
     * tagged with this session, then SIGKILL to whatever is left after {@code grace}. Completes
     * when no process of the session is left. Calling it again returns the same future.
     */
    CompletableFuture<Void> stop(Duration grace);

    /**
     * The caller has asked the child to exit (a browser's {@code Browser.close}) and will
     * {@link #stop} it once it has, counting what it left: its exit then kills nothing on its own
     * (else that clean-up, on another thread, raced the caller's count and said it in a line of
     * its own). {@code false} takes it back: the child did not exit.
     */
    default void exitAsked(boolean asked) {
    }

    /**
     * Checks now that the session's process group is still its launch's own and returns the
     * group's SIGTERM, ahead of {@link #stop}, which then does not send it again; null where the
     * group is not the runner's own launch, or once a stop has begun. A runner stopping many
     * sessions checks every group, sends every SIGTERM in a row, and does the books after: the
     * dying children take the CPUs as soon as the first is signalled, and a pass that checked
     * (read {@code /proc}) between two signals reached the 200th group ~100 ms after the first.
     */
    default Runnable termGroupAhead() {
        return null;
    }
}
