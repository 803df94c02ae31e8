package io.smartrunner.alert;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver on 127.0.0.1 (any free port) for tests: answers each POST with the next
 * scripted status (200 once the script is used up), records every request, and can hold requests
 * until released, like a receiver that hangs.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received, with the status it was answered with. */
    public record Request(String path, Map<String, List<String>> headers, String body, int status) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Request> arrivals = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holding;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next requests are answered with these statuses, in order. */
    public WebhookReceiver answer(Integer... next) {
        statuses.addAll(List.of(next));
        return this;
    }

    /** Requests arriving from now on are held (after being recorded) until {@link #release()}. */
    public void hold() {
        holding = true;
    }

    public void release() {
        holding = false;
        release.countDown();
    }

    /** The next request to arrive (arrival order), waiting up to 10 s. */
    public Request next() throws InterruptedException {
        Request r = arrivals.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no request arrived within 10 s; received so far: " + requests);
        }
        return r;
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** Bodies of the requests answered 2xx, i.e. the alerts delivered. */
    public List<String> delivered() {
        return requests.stream().filter(r -> r.status() / 100 == 2).map(Request::body).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Integer scripted = statuses.poll();
            int status = scripted == null ? 200 : scripted;
            Request r = new Request(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body,
                    status);
            requests.add(r);
            arrivals.add(r);
            if (holding) {
                release.await();
            }
            byte[] answer = (status / 100 == 2 ? "ok" : "no").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
