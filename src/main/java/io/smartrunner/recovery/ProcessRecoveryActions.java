package io.smartrunner.recovery;

import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.process.ProcessLauncher;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real step kinds: {@code command} (a process, like a session) and {@code http}; checks
 * {@code none} and {@code command}. The browser steps and check arrive with the browser providers;
 * until then the configuration refuses them, and reaching one here fails the step with that reason.
 */
public final class ProcessRecoveryActions implements RecoveryActions {
    private final ProcessLauncher launcher;
    private final Path logDir;
    private final String runnerId;
    private final long stepTimeoutMs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public ProcessRecoveryActions(ProcessLauncher launcher, Path logDir, String runnerId, long stepTimeoutMs) {
        this.launcher = launcher;
        this.logDir = logDir;
        this.runnerId = runnerId;
        this.stepTimeoutMs = stepTimeoutMs;
    }

    @Override
    public RunningStep step(StepConfig step, StepContext ctx) {
        if (step instanceof StepConfig.Command c) {
            return CommandRun.start(launcher, c.argv(), ctx, logDir, runnerId, "step " + c.name());
        }
        if (step instanceof StepConfig.Http h) {
            return HttpRun.start(http, h, ctx, stepTimeoutMs);
        }
        return RunningStep.done(StepResult.failed(step.name() + " needs a browser provider, and none is available"));
    }

    @Override
    public RunningStep verify(VerifyConfig verify, StepContext ctx) {
        if (verify instanceof VerifyConfig.None) {
            return RunningStep.done(StepResult.ok("no verification configured"));
        }
        if (verify instanceof VerifyConfig.Command c) {
            return CommandRun.start(launcher, c.argv(), ctx, logDir, runnerId, "verify command");
        }
        return RunningStep.done(StepResult.failed("browser verification needs a browser provider"));
    }
}
