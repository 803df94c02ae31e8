package io.smartrunner.recovery;

import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.process.ProcessLauncher;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real step kinds: {@code command} (a process, like a session), {@code http}, and the five
 * browser steps; checks {@code none}, {@code command} and {@code browser}. Without a browser
 * provider the configuration refuses the browser ones; reaching one here fails the step (see {@link BrowserActions}).
 */
public final class ProcessRecoveryActions implements RecoveryActions {
    private final ProcessLauncher launcher;
    private final BrowserActions browser;
    private final Path logDir;
    private final String runnerId;
    private final long stepTimeoutMs;
    /** Made at the first http step: its TLS set-up (the JDK's trust store) was a tenth of the start-up. */
    private HttpClient http;

    /** @param browsers the profiles' browsers, {@link BrowserProvider#none()} when browser.provider is none */
    public ProcessRecoveryActions(ProcessLauncher launcher, Path logDir, String runnerId, long stepTimeoutMs,
                                  BrowserProvider browsers) {
        this.browser = new BrowserActions(browsers, Duration.ofMillis(stepTimeoutMs));
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
            return HttpRun.start(http(), h, ctx, stepTimeoutMs);
        }
        return browser.step(step.name(), ctx);
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    @Override
    public RunningStep verify(VerifyConfig verify, StepContext ctx) {
        if (verify instanceof VerifyConfig.None) {
            return RunningStep.done(StepResult.ok("no verification configured"));
        }
        if (verify instanceof VerifyConfig.Command c) {
            return CommandRun.start(launcher, c.argv(), ctx, logDir, runnerId, "verify command");
        }
        return browser.verify(ctx);
    }
}
