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

    /** @throws SmartRunnerException one line when the address is taken or refused by the security rules */
    public static RunnerHttpServer start(HttpSettings settings) {
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

    private static void demo(HttpExchange ex) throws IOException {
        String page = DEMO_PAGES.get(ex.getRequestURI().getPath());
        if (!"GET".equals(ex.getRequestMethod()) || page == null) {
            send(ex, page == null ? 404 : 405, "text/plain", page == null ? "not found" : "method not allowed");
            return;
        }
        try (InputStream in = RunnerHttpServer.class.getResourceAsStream("/demo/" + page)) {
            send(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
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
