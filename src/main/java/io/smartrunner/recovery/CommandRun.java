package io.smartrunner.recovery;

import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.EnvInheritance;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.OutputFiles;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.process.SpawnException;
import io.smartrunner.session.SessionContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An argv template run as a step or a check: same launcher, placeholders and environment as a
 * session (plus SR_RECOVERY_STEP), output appended to the profile's log files; exit 0 = ok.
 */
final class CommandRun implements RunningStep {
    private final CompletableFuture<StepResult> result = new CompletableFuture<>();
    private RunningProcess process;
    /** The tree stop a cancel started; guarded by this. */
    private CompletableFuture<Void> stopping;
    private final Duration grace;

    private CommandRun(Duration grace) {
        this.grace = grace;
    }

    static CommandRun start(ProcessLauncher launcher, List<String> argv, StepContext ctx, Path logDir,
                            String runnerId, String what) {
        var profile = ctx.profile();
        var session = profile.session();
        CommandRun run = new CommandRun(Duration.ofMillis(session.stopGraceMs()));
        SessionContext values = new SessionContext(profile.id(), profile.pod(), ctx.sessionId(), profile.homepage(), null);
        Map<String, String> env = new LinkedHashMap<>(values.environment(session.env()));
        // tagged so a crashed runner's successor finds and stops it, but as a run of its own, not the session
        env.put("SR_SESSION_ID", ctx.runId());
        env.put("SR_RECOVERY_STEP", Integer.toString(ctx.step()));
        env.put(ProcessTable.RUNNER_ID_ENV, runnerId);
        LaunchSpec spec = new LaunchSpec(ctx.runId(), values.expand(argv), env, session.workingDir(),
                OutputFiles.forProfile(logDir, profile.id(), session.logMaxBytes(), session.logKeepFiles()),
                EnvInheritance.safeBase().with(session.inheritEnv().all(), session.inheritEnv().names()));
        try {
            RunningProcess p = launcher.launch(spec);
            synchronized (run) {
                run.process = p;
            }
            p.onExit().whenComplete((status, ex) -> run.exited(status, ex, what));
        } catch (SpawnException e) {
            run.result.complete(StepResult.failed(e.getMessage()));
        } catch (RuntimeException e) {
            run.result.complete(StepResult.failed("cannot start " + what + ": " + e.getMessage()));
        }
        return run;
    }

    private void exited(ExitStatus status, Throwable error, String what) {
        StepResult r = outcome(status, error, what);
        CompletableFuture<Void> stop;
        synchronized (this) {
            stop = stopping;
        }
        if (stop == null) {
            result.complete(r);
            return;
        }
        // The leader's exit is not the end of a cancelled tree: its other members may still be
        // dying (or ignoring SIGTERM until the grace period ends). Done only once all are gone.
        stop.whenComplete((ok, stopError) -> result.complete(stopError == null ? r
                : StepResult.failed(what + ": " + stopError.getMessage())));
    }

    private static StepResult outcome(ExitStatus status, Throwable error, String what) {
        if (error != null) {
            return StepResult.failed(what + ": " + error.getMessage());
        } else if (status.success()) {
            return StepResult.ok(what + " exited 0");
        } else if (status.spawnError() != null) {
            return StepResult.failed(status.spawnError());
        } else if (status.signal() != null) {
            return StepResult.failed(what + " killed by " + status.signal());
        }
        return StepResult.failed(what + " exited with code " + status.exitCode());
    }

    @Override
    public CompletableFuture<StepResult> result() {
        return result;
    }

    @Override
    public synchronized void cancel() {
        if (process != null && stopping == null) {
            stopping = process.stop(grace);
        }
    }
}
