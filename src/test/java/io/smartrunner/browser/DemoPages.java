package io.smartrunner.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A few pages on 127.0.0.1 for real-browser tests: /home, /a, /b, /broken, and /hang, which never answers. */
final class DemoPages implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final CountDownLatch closing = new CountDownLatch(1);
    /** Counted down by the first request for /hang. */
    final CountDownLatch hanging = new CountDownLatch(1);

    DemoPages() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers); // a hanging page holds its own thread, not every other page
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/hang")) {
                hanging.countDown();
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
                return;
            }
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
        closing.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }
}
