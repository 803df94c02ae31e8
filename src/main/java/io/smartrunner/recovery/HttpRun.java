package io.smartrunner.recovery;

import io.smartrunner.config.StepConfig;
import io.smartrunner.session.SessionContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** One HTTP request as a step: ok when the status is the expected one. Asynchronous, no thread of its own. */
final class HttpRun implements RunningStep {
    private final CompletableFuture<StepResult> result = new CompletableFuture<>();
    private volatile CompletableFuture<HttpResponse<Void>> request;

    static HttpRun start(HttpClient client, StepConfig.Http step, StepContext ctx, long stepTimeoutMs) {
        HttpRun run = new HttpRun();
        var profile = ctx.profile();
        SessionContext values = new SessionContext(profile.id(), profile.pod(), ctx.sessionId(), profile.homepage(), null);
        long timeoutMs = step.timeoutMs() > 0 ? step.timeoutMs() : stepTimeoutMs;
        String url = values.expand(step.url());
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMillis(timeoutMs))
                    .method(step.method(), HttpRequest.BodyPublishers.noBody())
                    .build();
            run.request = client.sendAsync(req, HttpResponse.BodyHandlers.discarding());
            run.request.whenComplete((resp, ex) -> run.result.complete(outcome(step.method() + " " + url, step, resp, ex)));
        } catch (IllegalArgumentException e) {
            run.result.complete(StepResult.failed(step.method() + " " + url + ": " + e.getMessage()));
        }
        return run;
    }

    private static StepResult outcome(String what, StepConfig.Http step, HttpResponse<Void> resp, Throwable ex) {
        if (ex != null) {
            Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            String why = cause instanceof HttpTimeoutException ? "timed out"
                    : cause instanceof java.net.ConnectException ? "connection refused"
                    : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            return StepResult.failed(what + ": " + why);
        }
        return resp.statusCode() == step.expect()
                ? StepResult.ok(what + " answered " + resp.statusCode())
                : StepResult.failed(what + " answered " + resp.statusCode() + ", expected " + step.expect());
    }

    @Override
    public CompletableFuture<StepResult> result() {
        return result;
    }

    @Override
    public void cancel() {
        CompletableFuture<HttpResponse<Void>> r = request;
        if (r != null) {
            r.cancel(true);
        }
        result.complete(StepResult.failed("cancelled"));
    }
}
