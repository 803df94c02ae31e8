package io.smartrunner.engine;

import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.store.SessionRecord;
import java.util.concurrent.CompletableFuture;

/** A session the supervisor is watching. Only touched by the supervisor's loop thread. */
final class ActiveSession {
    final SessionRecord record;
    final RunningProcess process;
    final long startNanos;
    final long deadlineNanos;
    final long idleTimeoutNanos;
    long lastOutputBytes;
    /** Of {@link io.smartrunner.process.RunningProcess#outputDropped}, what was said already. */
    long outputDroppedSaid;
    long lastActivityNanos;
    long nextPollNanos;
    /** When the output was last polled (the start before the first poll). */
    long lastPollNanos;
    /** Set when the runner decided to stop the session (timeout, hang, shutdown). */
    FailureReason stopReason;
    String stopDetail;
    CompletableFuture<Void> stopping;
    boolean stopped;
    String stopError;
    ExitStatus exit;
    /** When the child exited (its own time, see {@link SessionLifecycle#exited}): where durMs ends. */
    long exitNanos;
    /** The profile's browser crashed while this session ran ({@code browser-crash}), and when (monotonic). */
    boolean browserCrashed;
    long browserCrashedNanos;

    ActiveSession(SessionRecord record, RunningProcess process, long startNanos, long timeoutNanos,
                  long idleTimeoutNanos) {
        this.record = record;
        this.process = process;
        this.startNanos = startNanos;
        this.deadlineNanos = startNanos + timeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.lastActivityNanos = startNanos;
        this.lastPollNanos = startNanos;
        this.nextPollNanos = SessionTimers.firstPoll(startNanos, idleTimeoutNanos);
    }

    String sessionId() {
        return record.sessionId();
    }

    /** The child has exited and, if the runner stopped it, the whole tree is gone too. */
    boolean over() {
        return exit != null && (stopping == null || stopped);
    }
}
