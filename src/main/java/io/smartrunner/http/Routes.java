package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Picks the handler whose path prefix is the longest match, as the JDK server's contexts did
 * ("/" catches every path no other prefix claims), so the routes do not depend on the server's
 * own context-path rules.
 */
final class Routes implements HttpHandler {
    private final Map<String, HttpHandler> byPrefix = new TreeMap<>((a, b) -> b.length() != a.length()
            ? b.length() - a.length() : a.compareTo(b));

    Routes add(String prefix, HttpHandler handler) {
        byPrefix.put(prefix, handler);
        return this;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path;
        try {
            path = ex.getRequestURI().getRawPath();
        } catch (IllegalArgumentException e) {
            // Jetty's parser lets some targets through that java.net.URI refuses (a bad %-escape in
            // the query); thrown out of a handler, the exchange closed as an empty 200
            ApiHandler.send(ex, 400, Map.of("error",
                    "request target: not a valid URI (a bad %-escape or a character that must be escaped?)"));
            return;
        }
        if (DotSegments.in(path)) {
            ApiHandler.send(ex, 400, Map.of("error", DotSegments.REFUSED));
            return;
        }
        for (Map.Entry<String, HttpHandler> route : byPrefix.entrySet()) {
            if (path != null && path.startsWith(route.getKey())) {
                route.getValue().handle(ex);
                return;
            }
        }
        RunnerHttpServer.send(ex, 404, "text/plain", "not found");
    }
}
