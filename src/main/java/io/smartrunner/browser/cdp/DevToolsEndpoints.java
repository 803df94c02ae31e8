package io.smartrunner.browser.cdp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The browser's DevTools HTTP endpoints ({@code /json/version}, {@code /json/list},
 * {@code /json/new}), given a base such as {@code http://127.0.0.1:9222}. Every call is bounded
 * by its timeout and fails with a one-line {@link CdpException} naming the request: connection
 * refused, timed out, a status other than 200, or a reply that is not the expected JSON.
 * Thread-safe.
 */
public final class DevToolsEndpoints {
    /**
     * Shared by the endpoints and every {@link CdpClient}: one selector thread for all of them.
     * HTTP/1.1 because the DevTools server does not speak h2c and a WebSocket upgrade needs 1.1;
     * no proxy, and the JDK sends no Origin header (Chromium 111+ refuses one it was not told of).
     */
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int BODY_EXCERPT = 200;

    private DevToolsEndpoints() {
    }

    /**
     * One DevTools target as {@code /json/list} describes it.
     *
     * @param type                 {@code page}, {@code iframe}, {@code service_worker}, {@code browser}...
     * @param webSocketDebuggerUrl null when the browser does not offer one (older browsers omit it
     *                             while another client is attached)
     */
    public record Target(String id, String type, String url, String title, String webSocketDebuggerUrl) {
        static Target of(JsonNode node) {
            return new Target(node.path("id").textValue(), node.path("type").textValue(),
                    node.path("url").textValue(), node.path("title").textValue(),
                    node.path("webSocketDebuggerUrl").textValue());
        }
    }

    /** The browser-level WebSocket URL from {@code GET {httpBase}/json/version}. */
    public static String browserWebSocketUrl(String httpBase, Duration timeout) {
        String url = join(httpBase, "/json/version");
        String webSocketUrl = fetch("GET", url, timeout).path("webSocketDebuggerUrl").textValue();
        if (webSocketUrl == null || webSocketUrl.isBlank()) {
            throw new CdpException("GET " + url + ": no webSocketDebuggerUrl in the reply");
        }
        return webSocketUrl;
    }

    /** Every target from {@code GET {httpBase}/json/list}, in the browser's order. */
    public static List<Target> targets(String httpBase, Duration timeout) {
        String url = join(httpBase, "/json/list");
        JsonNode list = fetch("GET", url, timeout);
        if (!list.isArray()) {
            throw new CdpException("GET " + url + ": expected a JSON array, got " + list.getNodeType());
        }
        List<Target> targets = new ArrayList<>(list.size());
        list.forEach(node -> targets.add(Target.of(node)));
        return List.copyOf(targets);
    }

    /** Opens a new tab on {@code url} with {@code PUT {httpBase}/json/new?<url>} (Chromium refuses GET). */
    public static Target newPage(String httpBase, String url, Duration timeout) {
        // URLEncoder writes a space as '+', which Chromium would keep as a literal '+'
        String query = URLEncoder.encode(url, StandardCharsets.UTF_8).replace("+", "%20");
        String endpoint = join(httpBase, "/json/new?" + query);
        JsonNode target = fetch("PUT", endpoint, timeout);
        if (!target.isObject()) {
            throw new CdpException("PUT " + endpoint + ": expected a JSON object, got " + target.getNodeType());
        }
        return Target.of(target);
    }

    private static JsonNode fetch(String method, String url, Duration timeout) {
        String what = method + " " + url;
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
        } catch (IllegalArgumentException e) {
            throw new CdpException(what + ": bad URL (" + e.getMessage() + ")", e);
        }
        HttpResponse<String> response = await(what, HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()), timeout);
        if (response.statusCode() != 200) {
            throw new CdpException(what + ": answered " + response.statusCode() + excerpt(response.body()));
        }
        try {
            return MAPPER.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new CdpException(what + ": bad JSON (" + e.getOriginalMessage().replaceAll("\\s+", " ") + ")", e);
        }
    }

    /** Bounds the whole exchange, connecting included, by one timeout. */
    private static <T> T await(String what, CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new CdpException(what + ": timed out after " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            String why = CdpException.describe(e);
            throw new CdpException(what + ": " + (why.equals("timed out") ? why + " after " + timeout.toMillis() + " ms" : why), e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CdpException(what + ": interrupted", e);
        }
    }

    private static String excerpt(String body) {
        String line = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        if (line.isEmpty()) {
            return "";
        }
        return ": " + (line.length() > BODY_EXCERPT ? line.substring(0, BODY_EXCERPT) + "..." : line);
    }

    private static String join(String httpBase, String path) {
        String base = httpBase.endsWith("/") ? httpBase.substring(0, httpBase.length() - 1) : httpBase;
        return base + path;
    }
}
