package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the Prometheus text format. Read-only and without a token on loopback (counts from
 * bounded label sets: no profile ids, no secrets), but like the API it answers only an allowed
 * Host (DNS rebinding), and only GET.
 */
final class MetricsHandler implements HttpHandler {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Supplier<String> exposition;
    private final Set<String> hosts;
    private final ApiToken readToken;

    /** @param exposition the whole text, produced per request (may wait briefly for the supervisor loop) */
    MetricsHandler(Supplier<String> exposition, Set<String> hosts) {
        this(exposition, hosts, null);
    }

    /** @param readToken the token a scrape must send (the API listens beyond loopback); null = none */
    MetricsHandler(Supplier<String> exposition, Set<String> hosts, ApiToken readToken) {
        this.exposition = exposition;
        this.hosts = Set.copyOf(hosts);
        this.readToken = readToken;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (!HostAllowlist.allows(hosts, ex.getRequestHeaders().getFirst("Host"))) {
            RunnerHttpServer.send(ex, 403, TEXT, "Host not allowed\n");
        } else if (readToken != null && !readToken.presentedBy(ex)) {
            RunnerHttpServer.send(ex, 401, TEXT, "Authorization: missing or wrong bearer token\n");
        } else if (!ex.getRequestURI().getRawPath().equals("/metrics")) {
            RunnerHttpServer.send(ex, 404, TEXT, "not found\n");
        } else if (!ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET");
            RunnerHttpServer.send(ex, 405, TEXT, "use GET\n");
        } else {
            serve(ex);
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        String body;
        try {
            body = exposition.get();
        } catch (RuntimeException e) {
            RunnerHttpServer.send(ex, 500, TEXT, "internal error\n");
            return;
        }
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        RunnerHttpServer.send(ex, 200, CONTENT_TYPE, body);
    }
}
