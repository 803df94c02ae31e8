package io.smartrunner.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.browser.cdp.CdpException;
import io.smartrunner.config.BrowserSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The four calls of AdsPower's Local API the provider needs ({@code /status},
 * {@code /api/v1/browser/start|stop|active}). Every request, retries included, first waits for
 * its slot in this instance's one {@link RateLimiter} (AdsPower throttles per instance, all
 * profiles together). Transient failures (no HTTP answer, HTTP 5xx or 429, AdsPower's "Too many
 * request per second") are retried up to {@code retries} times after 200 ms, 400 ms, 800 ms...;
 * any other failure is final. A call, its retries included, ends within its budget (half the
 * recovery step's timeout; {@code start}'s tries each have {@code browser.startTimeoutMs}
 * instead), so a Local API that accepts connections and never answers fails the call as
 * AdsPower's, not the recovery step as timed out. The API key goes in an
 * {@code Authorization: Bearer} header only and is masked out of every message. Thread-safe.
 */
final class AdsPowerApi {
    static final String STATUS = "/status";
    static final String START = "/api/v1/browser/start";
    static final String STOP = "/api/v1/browser/stop";
    static final String ACTIVE = "/api/v1/browser/active";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 10_000;
    private static final int EXCERPT = 200;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http;
    private final BrowserSettings.AdsPower settings;
    private final String baseUrl;
    private final Duration startTimeout;
    private final Duration callBudget;
    private final Duration requestTimeout;
    private final RateLimiter limiter;
    private final RateLimiter.Sleeper sleeper;
    private final LongSupplier nanoTime;

    /** What {@code start} answered: the DevTools port and the browser's WebSocket URL (may be null). */
    record Started(String debugPort, String webSocket) {
        @Override
        public String toString() {
            return "Started[***]";
        }
    }

    /**
     * One attempt's outcome: the envelope's {@code data}, or why it failed.
     *
     * @param unreachable no HTTP answer came (refused, reset, timed out)
     * @param serverError AdsPower answered HTTP 5xx
     */
    private record Attempt(JsonNode data, String failure, boolean retryable, boolean unreachable,
                           boolean serverError, Throwable cause) {
        static Attempt ok(JsonNode data) {
            return new Attempt(data, null, false, false, false, null);
        }

        static Attempt failed(String why, boolean retryable, Throwable cause) {
            return new Attempt(null, why, retryable, false, false, cause);
        }

        static Attempt noAnswer(String why, Throwable cause) {
            return new Attempt(null, why, true, true, false, cause);
        }
    }

    /**
     * @param callBudget how long a call, its retries included, may take (but {@code start}'s, whose
     *                   tries each have {@code startTimeout}): half the recovery step's timeout
     * @param nanoTime   the monotonic clock the budget is measured on
     */
    AdsPowerApi(BrowserSettings.AdsPower settings, Duration startTimeout, Duration callBudget, RateLimiter limiter,
                RateLimiter.Sleeper sleeper, LongSupplier nanoTime) {
        this.settings = settings;
        this.baseUrl = settings.baseUrl().replaceAll("/+$", "");
        this.startTimeout = startTimeout;
        this.callBudget = callBudget;
        this.requestTimeout = requestTimeout(callBudget, settings.retries());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(requestTimeout).build();
        this.limiter = limiter;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
    }

    /**
     * How long one request waits for its answer: the call's budget less the backoffs, shared by
     * its tries so the retries fit in it too; at most 10 s and at least 1 s.
     */
    static Duration requestTimeout(Duration callBudget, int retries) {
        long backoffs = 0;
        for (int i = 0; i < retries; i++) {
            backoffs += backoffMillis(i);
        }
        Duration share = callBudget.minusMillis(backoffs).dividedBy(retries + 1L);
        return share.compareTo(REQUEST_TIMEOUT) > 0 ? REQUEST_TIMEOUT
                : share.compareTo(MIN_REQUEST_TIMEOUT) < 0 ? MIN_REQUEST_TIMEOUT : share;
    }

    void status() {
        call(STATUS, null, requestTimeout, true);
    }

    /**
     * Starts the user's browser; AdsPower answers with the running one when it is already open.
     *
     * @param withinStep a recovery step's start: its tries end within the call's budget (half the
     *                   step's timeout), each waiting at most {@code browser.startTimeoutMs}; a start a
     *                   page step made for a browser not open waited 30 s while the step had 8, and
     *                   ran out as the step's own timeout, unclassed, the ladder climbing (reviewer R17)
     */
    Started start(String userId, boolean withinStep) {
        Duration wait = withinStep && callBudget.compareTo(startTimeout) < 0 ? callBudget : startTimeout;
        JsonNode data = call(START, userId, wait, withinStep);
        String ws = data.path("ws").path("puppeteer").textValue();
        String port = data.path("debug_port").asText("");
        if (port.isBlank() && ws != null) {
            port = String.valueOf(URI.create(ws).getPort());
        }
        if (!port.matches("\\d{1,5}")) {
            throw new AdsPowerException(what(START, userId) + ": no debug_port in the reply", "no debug_port", false,
                    false, null);
        }
        return new Started(port, ws);
    }

    void stop(String userId) {
        call(STOP, userId, requestTimeout, true);
    }

    /** Whether AdsPower reports the user's browser open. */
    boolean active(String userId) {
        return "Active".equalsIgnoreCase(call(ACTIVE, userId, requestTimeout, true).path("status").asText());
    }

    /** Delay before retry number {@code retry} (0-based): 200 ms doubling, capped at 10 s. */
    static long backoffMillis(int retry) {
        return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(retry, 6));
    }

    /**
     * @param budgeted whether the call ends within {@code callBudget}: a retry waits at most what is
     *                 left of it, and is not begun with less than 1 s left (the last failure stands)
     */
    private JsonNode call(String path, String userId, Duration timeout, boolean budgeted) {
        String what = what(path, userId);
        long deadline = nanoTime.getAsLong() + callBudget.toNanos();
        Attempt last = null;
        for (int attempt = 0; ; attempt++) {
            try {
                if (attempt > 0) {
                    sleeper.sleepNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis(attempt - 1)));
                }
                limiter.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdsPowerException(what + ": interrupted", "interrupted", false, false, e);
            }
            Duration wait = timeout;
            if (attempt > 0 && budgeted) {
                long left = deadline - nanoTime.getAsLong();
                if (left < MIN_REQUEST_TIMEOUT.toNanos()) {
                    throw failure(what, last, attempt - 1);
                }
                wait = left < timeout.toNanos() ? Duration.ofNanos(left) : timeout;
            }
            last = once(path, userId, wait);
            if (last.failure() == null) {
                return last.data();
            }
            if (!last.retryable() || attempt >= settings.retries()) {
                throw failure(what, last, attempt);
            }
        }
    }

    private AdsPowerException failure(String what, Attempt a, int retries) {
        String tries = retries == 0 ? "" : " (after " + retries + (retries == 1 ? " retry)" : " retries)");
        return new AdsPowerException(mask(what + ": " + a.failure() + tries), mask(a.failure()), a.unreachable(),
                a.serverError(), a.cause());
    }

    private Attempt once(String path, String userId, Duration timeout) {
        String query = userId == null ? "" : "?user_id=" + URLEncoder.encode(userId, StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path + query))
                .timeout(timeout).GET();
        if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
            request.header("Authorization", "Bearer " + settings.apiKey());
        }
        CompletableFuture<HttpResponse<String>> sent =
                http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response;
        try {
            // bounds connecting too, which the request timeout does not
            response = sent.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            sent.cancel(true);
            return Attempt.noAnswer("timed out after " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            String why = CdpException.describe(e);
            boolean noAnswer = e.getCause() instanceof IOException;
            why = why.equals("timed out") ? why + " after " + timeout.toMillis() + " ms" : why;
            return noAnswer ? Attempt.noAnswer(why, e.getCause()) : Attempt.failed(why, false, e.getCause());
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            return Attempt.failed("interrupted", false, e);
        }
        return answer(response);
    }

    private Attempt answer(HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode envelope;
        try {
            envelope = MAPPER.readTree(response.body());
        } catch (IOException e) {
            envelope = null;
        }
        // masked before any cut: a key cut in two no longer matches whole (AdsPower may echo it)
        String msg = envelope == null ? null : envelope.path("msg").asText(null);
        msg = msg == null ? null : mask(msg);
        String body = response.body() == null ? null : mask(response.body());
        if (status != 200) {
            String detail = msg != null ? ": " + oneLine(msg) : excerpt(body);
            return new Attempt(null, "HTTP " + status + detail, status >= 500 || status == 429, false, status >= 500, null);
        }
        if (envelope == null || !envelope.isObject() || !envelope.has("code")) {
            return Attempt.failed("not AdsPower's {code,msg} reply" + excerpt(body), false, null);
        }
        int code = envelope.path("code").asInt(-1);
        if (code == 0) {
            return Attempt.ok(envelope.path("data"));
        }
        String text = msg == null || msg.isBlank() ? "failed" : oneLine(msg);
        return Attempt.failed(text + " (code " + code + ")", text.toLowerCase(Locale.ROOT).contains("too many request"),
                null);
    }

    private static String what(String path, String userId) {
        return "AdsPower " + path + (userId == null ? "" : " user_id=" + userId);
    }

    /** The key must never reach a message, even when AdsPower echoes it back. */
    String mask(String text) {
        String key = settings.apiKey();
        return key == null || key.isBlank() ? text : text.replace(key, "***");
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() > EXCERPT ? line.substring(0, EXCERPT) + "..." : line;
    }

    private static String excerpt(String body) {
        String line = body == null ? "" : oneLine(body);
        return line.isEmpty() ? "" : ": " + line;
    }
}
