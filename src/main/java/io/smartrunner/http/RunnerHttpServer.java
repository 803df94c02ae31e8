package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.HttpSettings;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The runner's HTTP server (JDK HttpServer): {@code GET /healthz}, the API of DESIGN §2a and the
 * demo site under {@code /demo/} for the demo fleet's browsers. Loopback only unless a token is
 * configured. Requests run on a bounded pool with room for every event stream and more.
 */
public final class RunnerHttpServer implements AutoCloseable {
    static final int THREADS = EventsRoute.MAX_STREAMS + 16;
    private final HttpServer server;

    private RunnerHttpServer(HttpServer server) {
        this.server = server;
    }

    /** The demo site and health only (tools and tests). */
    public static RunnerHttpServer start(HttpSettings settings) {
        return start(settings, null);
    }

    /**
     * @param api null = no API
     * @throws SmartRunnerException one line when the address is taken or refused by the security rules
     */
    public static RunnerHttpServer start(HttpSettings settings, ApiParts api) {
        return start(settings, api, null);
    }

    /**
     * @param api     null = no API
     * @param metrics the Prometheus text for {@code GET /metrics}; null = none. Served with the API (same Host rules)
     * @throws SmartRunnerException one line when the address is taken or refused by the security rules
     */
    public static RunnerHttpServer start(HttpSettings settings, ApiParts api, java.util.function.Supplier<String> metrics) {
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
            server.setExecutor(requestThreads());
            server.createContext("/healthz", ex -> send(ex, 200, "application/json", "{\"status\":\"ok\"}"));
            server.createContext("/demo/", new DemoSite());
            if (api != null) {
                int port = server.getAddress().getPort();
                java.util.Set<String> hosts = new java.util.HashSet<>(java.util.Set.of(settings.bind() + ":" + port));
                if (address.isLoopbackAddress()) {
                    hosts.addAll(java.util.Set.of("127.0.0.1:" + port, "localhost:" + port));
                }
                server.createContext("/api/", new ApiHandler(api, hosts));
                if (metrics != null) {
                    server.createContext("/metrics", new MetricsHandler(metrics, hosts));
                }
                server.createContext("/", new DashboardHandler(hosts)); // every path no other context claims
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

    /**
     * Up to {@link #THREADS} threads (idle ones end after a minute), more requests wait in line:
     * event streams hold a thread each, but at most {@link EventsRoute#MAX_STREAMS}, so the other
     * requests always have threads left, and a flood of requests cannot spawn threads without bound.
     */
    private static java.util.concurrent.ExecutorService requestThreads() {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(THREADS, THREADS,
                60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sr-http");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a whole reply and closes the exchange (headers set before the call are kept). */
    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
