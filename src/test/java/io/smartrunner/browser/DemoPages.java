package io.smartrunner.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A few pages on 127.0.0.1 for real-browser tests: /home, /a, /b, /broken. */
final class DemoPages implements AutoCloseable {
    private final HttpServer server;

    DemoPages() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String title = switch (path) {
                case "/home" -> "Home";
                case "/a" -> "A";
                case "/b" -> "B";
                default -> "Broken";
            };
            byte[] body = ("<!doctype html><title>" + title + "</title><p>" + title + "</p>")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
