package io.smartrunner.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/** A child started by {@link OsProcessLauncher}: setsid exec'd into the user's program. */
final class OsRunningProcess implements RunningProcess {
    /** What util-linux setsid prints when its execvp fails; it then exits 126 or 127. */
    private static final String SETSID_FAILED = "setsid: failed to execute ";

    private final Process process;
    private final long startTicks;
    private final String sessionId;
    private final SessionOutput output;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<ExitStatus> exit;
    private final AtomicReference<CompletableFuture<Void>> stopping = new AtomicReference<>();

    OsRunningProcess(Process process, long startTicks, String sessionId, SessionOutput output,
                     ScheduledExecutorService timers) {
        this.process = process;
        this.startTicks = startTicks;
        this.sessionId = sessionId;
        this.output = output;
        this.timers = timers;
        this.exit = process.onExit().thenApply(p -> status(p.exitValue()));
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public long startTicks() {
        return startTicks;
    }

    @Override
    public long pgid() {
        return process.pid();
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    @Override
    public long pollOutput() {
        return output.poll();
    }

    @Override
    public String stderrTail(int maxBytes) {
        return output.stderrTail(maxBytes);
    }

    @Override
    public CompletableFuture<Void> stop(Duration grace) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        if (!stopping.compareAndSet(null, stopped)) {
            return stopping.get();
        }
        SessionMembers members = new SessionMembers(pid(), startTicks, sessionId);
        new TreeKill("session " + sessionId + " (pid " + pid() + ")", members, timers).start(grace)
                .whenComplete((signalled, error) -> {
                    if (error == null) {
                        stopped.complete(null);
                    } else {
                        stopped.completeExceptionally(error);
                    }
                });
        return stopped;
    }

    private ExitStatus status(int code) {
        if (code == 126 || code == 127) {
            String head = output.stderrHead(4096);
            if (head.startsWith(SETSID_FAILED)) {
                return new ExitStatus(code, null, spawnError(head));
            }
        }
        return Signals.exitStatus(code);
    }

    /** "setsid: failed to execute foo: No such file or directory" → the launcher's own wording. */
    private static String spawnError(String setsidMessage) {
        String line = setsidMessage.lines().findFirst().orElse("").substring(SETSID_FAILED.length());
        int colon = line.lastIndexOf(": ");
        return colon < 0 ? "cannot start: " + line
                : SpawnCheck.cannotStart(line.substring(0, colon), line.substring(colon + 2)).getMessage();
    }

    @Override
    public String toString() {
        return "session " + sessionId + " (pid " + pid() + ")";
    }
}
