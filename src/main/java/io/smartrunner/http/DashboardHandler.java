package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The web dashboard: {@code GET /} and its assets, from the classpath under {@code /web/}. Only
 * the files listed here are served, looked up by exact path, so no request can reach any other
 * resource. Same Host allowlist as the API (DNS rebinding); a strict Content-Security-Policy (no
 * inline script or style, same-origin requests only, no framing). The page reads the API without
 * a token and sends the one the user types for mutations. Thread-safe (immutable).
 */
final class DashboardHandler implements HttpHandler {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css",
            "/favicon.svg", "favicon.svg");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private record Asset(String type, byte[] body) {
    }

    private final Map<String, Asset> assets;
    private final Set<String> hosts;

    /** @throws SmartRunnerException when a dashboard file is missing from the jar (a broken build) */
    DashboardHandler(Set<String> hosts) {
        this.hosts = Set.copyOf(hosts);
        Map<String, Asset> loaded = new java.util.HashMap<>();
        FILES.forEach((path, file) -> loaded.put(path, load(file)));
        this.assets = Map.copyOf(loaded);
    }

    private static Asset load(String file) {
        try (InputStream in = DashboardHandler.class.getResourceAsStream("/web/" + file)) {
            if (in == null) {
                throw new SmartRunnerException("the dashboard file web/" + file + " is missing from the jar; rebuild it");
            }
            return new Asset(TYPES.get(file.substring(file.lastIndexOf('.') + 1)), in.readAllBytes());
        } catch (IOException e) {
            throw new SmartRunnerException("cannot read the dashboard file web/" + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            var headers = ex.getResponseHeaders();
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Content-Security-Policy", CSP);
            headers.set("X-Frame-Options", "DENY");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("Cache-Control", "no-cache");
            String method = ex.getRequestMethod();
            if (!HostAllowlist.allows(hosts, ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, 403, text("Host not allowed"));
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                headers.set("Allow", "GET, HEAD");
                send(ex, 405, text("method not allowed: use GET"));
            } else {
                Asset asset = assets.get(ex.getRequestURI().getRawPath());
                send(ex, asset == null ? 404 : 200, asset == null ? text("not found") : asset);
            }
        }
    }

    private static Asset text(String message) {
        return new Asset("text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The whole reply, HEAD as its GET without the body ({@link RunnerHttpServer#send}). */
    private static void send(HttpExchange ex, int status, Asset asset) throws IOException {
        RunnerHttpServer.send(ex, status, asset.type(), asset.body());
    }
}
