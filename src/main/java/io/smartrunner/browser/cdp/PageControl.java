package io.smartrunner.browser.cdp;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One CDP connection to a profile's first page (the demo worker uses it too), with the operations the ladder and the health
 * check need. Every call is bounded by the deadline given at open. Not thread-safe; short-lived.
 */
public final class PageControl implements AutoCloseable {
    /** CDP's answer to an evaluation before the page has its context: worth waiting for. */
    static final String NO_CONTEXT = "Cannot find default execution context";
    static final long NO_CONTEXT_RETRY_MS = 50;
    private final CdpClient cdp;
    private final long deadlineNanos;

    private PageControl(CdpClient cdp, long deadlineNanos) {
        this.cdp = cdp;
        this.deadlineNanos = deadlineNanos;
    }

    public static PageControl open(BrowserEndpoint endpoint, Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        DevToolsEndpoints.Target page = DevToolsEndpoints.targets(endpoint.httpBase(), budget).stream()
                .filter(t -> "page".equals(t.type())).findFirst()
                .orElseThrow(() -> new CdpException("the browser has no page open"));
        return new PageControl(CdpClient.connect(URI.create(page.webSocketDebuggerUrl()), budget), deadline);
    }

    private Duration left() {
        long n = deadlineNanos - System.nanoTime();
        if (n <= 0) {
            throw new CdpException("step time is up");
        }
        return Duration.ofNanos(n);
    }

    /** One raw CDP method on the page, bounded by the deadline (tests set a page up with it). */
    public JsonNode call(String method, Map<String, Object> params) {
        Duration left = left();
        try {
            return cdp.send(method, params, left).get(left.toMillis() + 100, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof CdpException c ? c : new CdpException(method + ": " + e.getCause(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CdpException(method + ": timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdpException(method + ": interrupted", e);
        }
    }

    /** Navigates and waits for the load event; a navigation error (DNS, refused...) fails. */
    public String navigate(String url) {
        return loading(() -> {
            JsonNode r = call("Page.navigate", Map.of("url", url));
            if (r.hasNonNull("errorText")) {
                throw new CdpException("Page.navigate " + url + ": " + r.get("errorText").asText());
            }
        }, "navigated to " + url);
    }

    /** Reloads and waits for the load event. */
    public String reload() {
        return loading(() -> call("Page.reload", Map.of()), "reloaded " + url());
    }

    /**
     * One entry back. The back-forward cache restores a page without a load event, so this waits
     * for readyState "complete" instead.
     */
    public String back() {
        JsonNode h = call("Page.getNavigationHistory", Map.of());
        int current = h.get("currentIndex").asInt();
        if (current <= 0) {
            throw new CdpException("no previous history entry to go back to");
        }
        JsonNode entry = h.get("entries").get(current - 1);
        call("Page.navigateToHistoryEntry", Map.of("entryId", entry.get("id").asInt()));
        awaitComplete(entry.get("url").asText());
        return "went back to " + url();
    }

    public String evaluate(String expression) {
        JsonNode r = evaluateOnceThereIsAContext(expression);
        if (r.hasNonNull("exceptionDetails")) {
            JsonNode ex = r.get("exceptionDetails");
            String text = ex.path("exception").path("description").asText(ex.path("text").asText("exception"));
            throw new CdpException("evaluating " + expression + " threw: " + text.lines().findFirst().orElse(text));
        }
        return r.path("result").path("value").asText("undefined");
    }

    public boolean truthy(String expression) {
        JsonNode r = evaluateOnceThereIsAContext("!!(" + expression + ")");
        if (r.hasNonNull("exceptionDetails")) {
            JsonNode ex = r.get("exceptionDetails");
            String text = ex.path("exception").path("description").asText(ex.path("text").asText("exception"));
            throw new CdpException("verifyExpression threw: " + text.lines().findFirst().orElse(text));
        }
        return r.path("result").path("value").asBoolean(false);
    }

    /**
     * Runtime.evaluate, retried while the page has no execution context yet (a browser just
     * started or a navigation just committed: "-32000 Cannot find default execution context"),
     * every {@value #NO_CONTEXT_RETRY_MS} ms until the deadline is near (four of those left, for
     * the last attempt to be answered); then that error is the answer.
     * Any other error fails at once.
     */
    private JsonNode evaluateOnceThereIsAContext(String expression) {
        while (true) {
            try {
                return call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
            } catch (CdpException e) {
                if (!String.valueOf(e.getMessage()).contains(NO_CONTEXT)
                        || deadlineNanos - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(4 * NO_CONTEXT_RETRY_MS)) {
                    throw e;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(NO_CONTEXT_RETRY_MS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public String url() {
        return evaluate("location.href");
    }

    private String loading(Runnable start, String done) {
        call("Page.enable", Map.of());
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        try (AutoCloseable sub = cdp.on("Page.loadEventFired", e -> loaded.complete(null))) {
            start.run();
            Duration left = left();
            loaded.get(left.toMillis(), TimeUnit.MILLISECONDS);
            return done;
        } catch (CdpException e) {
            throw e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CdpException("the page did not finish loading in time", e);
        } catch (Exception e) {
            throw new CdpException("waiting for the page to load: " + e, e);
        }
    }

    /**
     * Waits until a freshly started browser has loaded its first page. Until the navigation to it
     * begins, the initial about:blank already reads "complete", so that one does not count.
     */
    public void awaitFirstPage(String startUrl) {
        awaitComplete(startUrl.equals("about:blank") ? null : "about:blank", true);
    }

    private void awaitComplete(String expectedUrl) {
        awaitComplete(expectedUrl, false);
    }

    /** @param exclude when true, {@code url} is a page to move away from rather than the one to reach */
    private void awaitComplete(String url, boolean exclude) {
        while (true) {
            String now = url == null ? null : url();
            boolean there = url == null || (exclude ? !now.equals(url) : now.equals(url));
            if (there && "complete".equals(evaluate("document.readyState"))) {
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50); // no CDP event marks a bfcache restore as complete
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CdpException("interrupted while waiting for the page to load");
            }
            left();
        }
    }

    /** Closes the tab itself (as a crashed or closed tab would leave the browser). */
    public void closeTab() {
        call("Page.close", Map.of());
    }

    @Override
    public void close() {
        cdp.close();
    }
}
