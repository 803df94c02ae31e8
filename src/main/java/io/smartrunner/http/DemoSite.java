package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo site under {@code /demo/} for the demo fleet's browsers. It can take a profile's home
 * page down for its next load ({@code POST /demo/maintenance?profile=ID}), so the demo worker can
 * leave a failure that goToHomepage cannot repair and a later step of the ladder must. It changes
 * nothing but the demo pages. Served only when {@code http.demoSite} is on; the pending "down"
 * loads are bounded (profiles, loads per profile, id length), so the unauthenticated POST cannot
 * grow memory.
 */
final class DemoSite implements HttpHandler {
    static final int MAX_PROFILES = 1_000;
    static final int MAX_DOWN_LOADS = 100;
    static final int MAX_ID_LENGTH = 128;
    private static final Map<String, String> PAGES = Map.of("/demo/", "index.html", "/demo/index.html",
            "index.html", "/demo/task.html", "task.html", "/demo/broken.html", "broken.html");
    private final Map<String, Integer> homeDown = new ConcurrentHashMap<>();
    private final java.util.Set<String> hosts;

    /** @param hosts the Host header values served, as for the API (a DNS-rebinding guard) */
    DemoSite(java.util.Set<String> hosts) {
        this.hosts = java.util.Set.copyOf(hosts);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (!HostAllowlist.allows(hosts, ex.getRequestHeaders().getFirst("Host"))) {
            RunnerHttpServer.send(ex, 403, "text/plain", "Host not allowed");
            return;
        }
        String path = ex.getRequestURI().getPath();
        String profile = queryParam(ex, "profile");
        if (path.equals("/demo/maintenance")) {
            maintenance(ex, profile);
            return;
        }
        if ((path.equals("/demo/") || path.equals("/demo/index.html")) && profile != null && homeIsDown(profile)) {
            RunnerHttpServer.send(ex, 503, "text/html; charset=utf-8",
                    "<!doctype html><title>Down for maintenance</title><h1>Down</h1>");
            return;
        }
        String page = PAGES.get(path);
        if (!"GET".equals(ex.getRequestMethod()) || page == null) {
            if (page != null) {
                ex.getResponseHeaders().set("Allow", "GET");
            }
            RunnerHttpServer.send(ex, page == null ? 404 : 405, "text/plain",
                    page == null ? "not found" : "method not allowed");
            return;
        }
        try (InputStream in = DemoSite.class.getResourceAsStream("/demo/" + page)) {
            RunnerHttpServer.send(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * {@code POST /demo/maintenance?profile=ID}. Its refusals are the API's one-line JSON errors
     * naming what is wrong: a POST without {@code ?profile=} was a text/plain 405 with
     * {@code Allow: POST}, which told a client to use the method it had used (reviewer R16 F5).
     */
    private void maintenance(HttpExchange ex, String profile) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "POST");
            ApiHandler.send(ex, 405, Map.of("error", "no such route: " + ex.getRequestMethod()
                    + " /demo/maintenance; use POST"));
            return;
        }
        if (profile == null || profile.isEmpty()) {
            ApiHandler.send(ex, 400, Map.of("error", "profile: missing; expected POST /demo/maintenance?profile=ID,"
                    + " the profile whose home page is down for its next load"));
            return;
        }
        if (profile.length() > MAX_ID_LENGTH) {
            ApiHandler.send(ex, 400, Map.of("error", "profile: at most " + MAX_ID_LENGTH + " characters"));
            return;
        }
        if (!homeDown.containsKey(profile) && homeDown.size() >= MAX_PROFILES) {
            ApiHandler.send(ex, 503, Map.of("error", "too many profiles with a pending maintenance ("
                    + MAX_PROFILES + ")"));
            return;
        }
        homeDown.merge(profile, 1, (a, b) -> Math.min(MAX_DOWN_LOADS, a + b));
        RunnerHttpServer.send(ex, 200, "text/plain", "the home page of " + profile + " is down for its next load");
    }

    /** Consumes one "down" load of the profile's home page, if any is pending. */
    private boolean homeIsDown(String profile) {
        boolean[] down = {false};
        homeDown.computeIfPresent(profile, (k, n) -> {
            down[0] = true;
            return n > 1 ? n - 1 : null;
        });
        return down[0];
    }

    private static String queryParam(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return part.substring(eq + 1);
            }
        }
        return null;
    }
}
