package io.smartrunner.alert;

import io.smartrunner.config.AlertSettings.Webhook;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One POST of an alert body to one webhook with the JDK's HTTP client: {@code application/json},
 * the webhook's headers, no redirects followed, the whole attempt (connecting included) bounded
 * by the timeout. Thread-safe.
 */
final class WebhookPost {
    private static final int EXCERPT = 100;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * What one attempt came to.
     *
     * @param why          null when delivered, else a short reason (may hold text the receiver sent: redact it)
     * @param retryable    no answer, a timeout, HTTP 5xx or 429
     * @param retryAfterMs the receiver's Retry-After, 0 when none
     */
    record Attempt(String why, boolean retryable, long retryAfterMs) {
        static final Attempt DELIVERED = new Attempt(null, false, 0);

        boolean delivered() {
            return why == null;
        }
    }

    WebhookPost(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @throws InterruptedException when the sender is stopped mid-request (the request is abandoned) */
    Attempt send(Webhook hook, byte[] body) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hook.url())).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        hook.headers().forEach(request::header);
        CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofString());
        try {
            // also bounds connecting and a receiver that trickles its answer
            return answer(sent.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            sent.cancel(true);
            return new Attempt("timed out after " + timeout.toMillis() + " ms", true, 0);
        } catch (ExecutionException e) {
            return new Attempt(describe(e.getCause()), e.getCause() instanceof IOException, 0);
        } catch (InterruptedException e) {
            sent.cancel(true);
            throw e;
        }
    }

    private static Attempt answer(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return Attempt.DELIVERED;
        }
        String why = "HTTP " + status + excerpt(response.body());
        boolean retryable = status >= 500 || status == 429;
        return new Attempt(status >= 300 && status < 400 ? why + " (redirects are not followed)" : why, retryable,
                retryable ? retryAfterMs(response) : 0);
    }

    /** Retry-After in seconds (the HTTP-date form is ignored: the backoff applies then). */
    private static long retryAfterMs(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse("").strip();
        return value.matches("\\d{1,7}") ? Long.parseLong(value) * 1000 : 0;
    }

    private static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + oneLine(message));
    }

    private static String excerpt(String body) {
        String line = body == null ? "" : oneLine(body);
        return line.isEmpty() ? "" : ": " + (line.length() > EXCERPT ? line.substring(0, EXCERPT) + "..." : line);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }
}
