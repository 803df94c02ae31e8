package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.HttpSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The runner's HTTP server (JDK HttpServer): {@code GET /healthz} and the demo site under
 * {@code /demo/} for the demo fleet's browsers. Loopback only unless a token is configured. The
 * API and dashboard of DESIGN §2a come later (issue #5) on this same server.
 */
public final class RunnerHttpServer implements AutoCloseable {
    private static final Map<String, String> DEMO_PAGES = Map.of("/demo/", "index.html", "/demo/index.html",
            "index.html", "/demo/task.html", "task.html", "/demo/broken.html", "broken.html");
    private final HttpServer server;

    private RunnerHttpServer(HttpServer server) {
        this.server = server;
    }

    /** The demo site and health only (tools and tests). */
    public static RunnerHttpServer start(HttpSettings settings) {
        return start(settings, null, null);
    }

    /**
     * @param fleet null = no API
     * @throws SmartRunnerException one line when the address is taken or refused by the security rules
     */
    public static RunnerHttpServer start(HttpSettings settings, FleetControl fleet, ApiToken token) {
        InetAddress address;
        try {
            address = InetAddress.getByName(settings.bind());
        } catch (IOException e) {
            throw new SmartRunnerException("http.bind: \"" + settings.bind() + "\" is not an address: " + e.getMessage());
        }
        if (!address.isLoopbackAddress() && settings.token() == null) {
            throw new SmartRunnerException("http.bind: " + settings.bind() + " is not a loopback address and no"
                    + " http.token is set; set a token (e.g. \"${env:SR_TOKEN}\") or bind 127.0.0.1");
        }
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, settings.port()), 64);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "sr-http");
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/healthz", ex -> send(ex, 200, "application/json", "{\"status\":\"ok\"}"));
            server.createContext("/demo/", RunnerHttpServer::demo);
            if (fleet != null) {
                int port = server.getAddress().getPort();
                java.util.Set<String> hosts = new java.util.HashSet<>(java.util.Set.of(settings.bind() + ":" + port));
                if (address.isLoopbackAddress()) {
                    hosts.addAll(java.util.Set.of("127.0.0.1:" + port, "localhost:" + port));
                }
                server.createContext("/api/", new ApiHandler(fleet, token, hosts));
            }
            server.start();
            return new RunnerHttpServer(server);
        } catch (BindException e) {
            throw new SmartRunnerException("http: cannot listen on " + settings.bind() + ":" + settings.port() + ": "
                    + e.getMessage() + " (another runner? set http.port)");
        } catch (IOException e) {
            throw new SmartRunnerException("http: cannot listen on " + settings.bind() + ":" + settings.port() + ": "
                    + e.getMessage());
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * The demo site can take a profile's home page down for its next load ({@code POST
     * /demo/maintenance?profile=ID}), so the demo worker can leave a failure that goToHomepage
     * cannot repair and a later step of the ladder must. It changes nothing but the demo pages.
     */
    private static final Map<String, Integer> HOME_DOWN = new java.util.concurrent.ConcurrentHashMap<>();

    private static void demo(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String profile = queryParam(ex, "profile");
        if (path.equals("/demo/maintenance")) {
            if (!"POST".equals(ex.getRequestMethod()) || profile == null) {
                send(ex, 405, "text/plain", "POST /demo/maintenance?profile=ID");
                return;
            }
            HOME_DOWN.merge(profile, 1, Integer::sum);
            send(ex, 200, "text/plain", "the home page of " + profile + " is down for its next load");
            return;
        }
        if ((path.equals("/demo/") || path.equals("/demo/index.html")) && profile != null && homeIsDown(profile)) {
            send(ex, 503, "text/html; charset=utf-8", "<!doctype html><title>Down for maintenance</title><h1>Down</h1>");
            return;
        }
        String page = DEMO_PAGES.get(path);
        if (!"GET".equals(ex.getRequestMethod()) || page == null) {
            send(ex, page == null ? 404 : 405, "text/plain", page == null ? "not found" : "method not allowed");
            return;
        }
        try (InputStream in = RunnerHttpServer.class.getResourceAsStream("/demo/" + page)) {
            send(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Consumes one "down" load of the profile's home page, if any is pending. */
    private static boolean homeIsDown(String profile) {
        boolean[] down = {false};
        HOME_DOWN.computeIfPresent(profile, (k, n) -> {
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

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
