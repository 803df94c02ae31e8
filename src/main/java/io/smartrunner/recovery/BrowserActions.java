package io.smartrunner.recovery;

import io.smartrunner.DaemonThreads;
import io.smartrunner.browser.BrowserCause;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.CdpException;
import io.smartrunner.browser.cdp.PageControl;
import io.smartrunner.config.ProfileConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The spec's five recovery steps and the browser health check, over CDP and the profile's
 * provider. Each runs on a worker thread with blocking calls bounded by the step timeout;
 * cancelling interrupts it. With {@link BrowserProvider#none()} (the configuration refuses these
 * steps then) each fails at once, saying so. Thread-safe.
 */
public final class BrowserActions {
    private static final String ERROR_PAGE = "chrome-error://";
    private final BrowserProvider provider;
    private final Duration budget;
    private final ExecutorService workers = Executors.newCachedThreadPool(DaemonThreads.named("sr-browser-step"));

    public BrowserActions(BrowserProvider provider, Duration stepTimeout) {
        this.provider = provider;
        this.budget = stepTimeout;
    }

    /** One of goToHomepage, browserBack, refreshPage, reopenProfile, restartProfile. */
    public RunningStep step(String name, StepContext ctx) {
        if (provider == BrowserProvider.none()) {
            return RunningStep.done(StepResult.failed(name + " needs a browser provider, and none is available"));
        }
        ProfileConfig p = ctx.profile();
        return run(() -> switch (name) {
            case "goToHomepage" -> {
                if (p.homepage() == null) {
                    yield StepResult.failed("the profile has no homepage");
                }
                try (PageControl page = PageControl.open(opened(p, ctx, "goToHomepage"), budget)) {
                    yield StepResult.ok(page.navigate(p.homepage()));
                }
            }
            case "browserBack" -> {
                try (PageControl page = PageControl.open(opened(p, ctx, "browserBack"), budget)) {
                    yield StepResult.ok(page.back());
                }
            }
            case "refreshPage" -> {
                try (PageControl page = PageControl.open(opened(p, ctx, "refreshPage"), budget)) {
                    yield StepResult.ok(page.reload());
                }
            }
            case "reopenProfile" -> {
                BrowserCause cause = BrowserCause.step(ctx.sessionId(), "recovery step reopenProfile");
                provider.close(p, cause);
                provider.open(p, cause);
                yield StepResult.ok("closed the browser and opened it again");
            }
            case "restartProfile" -> {
                BrowserCause cause = BrowserCause.step(ctx.sessionId(), "recovery step restartProfile");
                provider.forceStop(p, cause);
                provider.open(p, cause);
                yield StepResult.ok("stopped the browser by force and started it fresh");
            }
            default -> StepResult.failed("unknown browser step " + name);
        });
    }

    /**
     * Steps 1-3 act on the browser as it is (one that stopped answering is what reopenProfile and
     * restartProfile are for), but one that is not open at all is opened first, as a session's
     * would be, with its own {@code browser-start}: an episode resumed by a runner's start, before
     * any session of the profile opened it, ran all three against no browser, each failing "not
     * open" and counted against its step, 90 s lost at the default delays (reviewer R15).
     */
    private BrowserEndpoint opened(ProfileConfig p, StepContext ctx, String step) {
        BrowserEndpoint endpoint = provider.current(p);
        if (endpoint == null) {
            endpoint = provider.open(p, BrowserCause.step(ctx.sessionId(), "recovery step " + step
                    + ": the profile's browser was not open"));
        }
        if (endpoint == null) {
            throw new CdpException("the profile's browser is not open");
        }
        if (provider.stopped(p.id())) {
            // each of steps 1-3 waited out stepTimeoutMs against it (reviewer R24: 24 s before
            // reopenProfile, which tells a stopped browser at once)
            throw new CdpException(stoppedMessage(p));
        }
        return endpoint;
    }

    private static String stoppedMessage(ProfileConfig p) {
        return "the browser of " + p.id() + " is stopped (SIGSTOP): it answers nothing until continued";
    }

    /** Healthy: the page answers, readyState is complete, no error page, verifyExpression truthy. */
    public RunningStep verify(StepContext ctx) {
        if (provider == BrowserProvider.none()) {
            return RunningStep.done(StepResult.failed("browser verification needs a browser provider"));
        }
        ProfileConfig p = ctx.profile();
        return run(() -> {
            BrowserEndpoint endpoint = provider.current(p);
            if (endpoint == null) {
                return StepResult.failed("the profile's browser is not open");
            }
            if (provider.stopped(p.id())) {
                return StepResult.failed(stoppedMessage(p));
            }
            try (PageControl page = PageControl.open(endpoint, budget)) {
                String state = page.evaluate("document.readyState");
                String url = page.url();
                if (url.startsWith(ERROR_PAGE)) {
                    return StepResult.failed("the page is an error page");
                }
                if (!"complete".equals(state)) {
                    return StepResult.failed("document.readyState is " + state);
                }
                if (p.verifyExpression() != null && !page.truthy(p.verifyExpression())) {
                    return StepResult.failed("verifyExpression is falsy");
                }
                return StepResult.ok("page complete");
            }
        });
    }

    /**
     * AdsPower's Local API did not answer, or answered HTTP 5xx (it retried already): the step
     * could not be tried.
     */
    private static boolean providerUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.smartrunner.browser.AdsPowerException a && a.unavailable()) {
                return true;
            }
        }
        return false;
    }

    private RunningStep run(java.util.concurrent.Callable<StepResult> work) {
        CompletableFuture<StepResult> result = new CompletableFuture<>();
        Future<?> task = workers.submit(() -> {
            try {
                result.complete(work.call());
            } catch (Exception e) {
                String detail = String.valueOf(e.getMessage()).replace('\n', ' ');
                result.complete(providerUnreachable(e) ? StepResult.providerUnreachable(detail)
                        : StepResult.failed(detail));
            }
        });
        return new RunningStep() {
            @Override
            public CompletableFuture<StepResult> result() {
                return result;
            }

            @Override
            public void cancel() {
                task.cancel(true);
                result.complete(StepResult.failed("cancelled"));
            }
        };
    }
}
