package io.smartrunner.browser.cdp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.DaemonThreads;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One Chrome DevTools Protocol connection, to a browser's or a page's WebSocket URL: commands with
 * {@link #send}, events with {@link #on}. Thread-safe; any thread may send at any time.
 *
 * <p>Threads: command futures complete on the connection's reader thread, so chain with
 * {@code thenCompose} or the {@code *Async} stages and never block inside a dependent stage (the
 * reader would stall and later replies time out). Event listeners run on the client's own event
 * thread, one event at a time in arrival order, so a listener may block on a command's reply.
 *
 * <p>When the connection goes (browser exits, {@link #close()}), every pending command fails at
 * once with "{@code <method>: connection closed: <why>}", later sends fail the same way, and
 * {@link #closed()} completes.
 */
public final class CdpClient implements AutoCloseable {
    // screenshots and PDFs arrive as one base64 string, past Jackson's default 20 MB limit
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build());
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final PendingCommands pending = new PendingCommands();
    private final EventListeners listeners = new EventListeners();
    private final ExecutorService events = Executors.newSingleThreadExecutor(DaemonThreads.named("cdp-events"));
    private final AtomicInteger lastId = new AtomicInteger();
    private final AtomicReference<String> goneReason = new AtomicReference<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final WriteQueue writes = new WriteQueue();

    private CdpClient() {
    }

    /**
     * Opens the WebSocket at {@code webSocketUrl} ({@code ws://127.0.0.1:9222/devtools/browser/...}).
     * No Origin header is sent, which Chromium 111+ requires unless started with
     * {@code --remote-allow-origins}.
     *
     * @throws CdpException when refused, not upgraded, or not open within {@code timeout}
     */
    public static CdpClient connect(URI webSocketUrl, Duration timeout) {
        CdpClient client = new CdpClient();
        CompletableFuture<WebSocket> opening = null;
        try {
            opening = DevToolsEndpoints.HTTP.newWebSocketBuilder().connectTimeout(timeout)
                    .buildAsync(webSocketUrl, new MessageReader(client.writes::attach, client::received, client::terminate));
            client.writes.attach(opening.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            return client;
        } catch (IllegalArgumentException | TimeoutException | ExecutionException | InterruptedException e) {
            client.events.shutdown();
            if (opening != null) {
                // a handshake that finishes after we gave up must not leave a socket open
                opening.thenAccept(WebSocket::abort);
            }
            throw connectFailure("connect " + webSocketUrl, e, timeout);
        }
    }

    private static CdpException connectFailure(String what, Exception e, Duration timeout) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new CdpException(what + ": interrupted", e);
        }
        if (e instanceof TimeoutException) {
            return new CdpException(what + ": timed out after " + timeout.toMillis() + " ms", e);
        }
        if (e instanceof IllegalArgumentException) {
            return new CdpException(what + ": bad URL (" + e.getMessage() + ")", e);
        }
        return new CdpException(what + ": " + CdpException.describe(e), e.getCause());
    }

    /** Sends {@code method} to the connection's own target; see {@link #send(String, Map, String, Duration)}. */
    public CompletableFuture<JsonNode> send(String method, Map<String, Object> params, Duration timeout) {
        return send(method, params, null, timeout);
    }

    /**
     * Sends one command and returns its reply's {@code result} (an empty object when the reply has
     * none). The future fails with {@link CdpException} on an error reply ("{@code <method>: <code>
     * <message>}"), when no reply comes within {@code timeout}, or when the connection goes. Never
     * throws for those: the future carries the failure.
     *
     * @param params    serialised with Jackson; null sends no params
     * @param sessionId a flattened target session (from {@code Target.attachToTarget} with
     *                  {@code flatten: true}); null for the connection's own target
     * @param timeout   positive
     */
    public CompletableFuture<JsonNode> send(String method, Map<String, Object> params, String sessionId, Duration timeout) {
        Objects.requireNonNull(method, "method");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        int id = lastId.incrementAndGet();
        String text;
        try {
            text = MAPPER.writeValueAsString(message(id, method, params, sessionId));
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(new CdpException(method + ": params are not JSON ("
                    + e.getOriginalMessage().replaceAll("\\s+", " ") + ")", e));
        }
        CompletableFuture<JsonNode> reply = pending.register(id, method, timeout);
        // checked after registering: either this sees the connection gone or terminate() sees the command
        String gone = goneReason.get();
        if (gone != null) {
            pending.fail(id, "connection closed: " + gone);
            return reply;
        }
        writes.then(socket -> socket.sendText(text, true)).whenComplete((socket, error) -> {
            if (error != null) {
                pending.fail(id, "send failed: " + CdpException.describe(error));
            }
        });
        return reply;
    }

    /** Subscribes to the connection's own {@code method} events; the listener gets the {@code params} node. Close to unsubscribe. */
    public AutoCloseable on(String method, Consumer<JsonNode> listener) {
        return listeners.add(null, Objects.requireNonNull(method, "method"), Objects.requireNonNull(listener, "listener"));
    }

    /** Subscribes to {@code method} events of a flattened target session. Close to unsubscribe. */
    public AutoCloseable onSession(String sessionId, String method, Consumer<JsonNode> listener) {
        return listeners.add(Objects.requireNonNull(sessionId, "sessionId"), Objects.requireNonNull(method, "method"),
                Objects.requireNonNull(listener, "listener"));
    }

    /** Completes (normally) once the socket is gone, whoever closed it. */
    public CompletableFuture<Void> closed() {
        return closed.copy();
    }

    /** Fails pending commands, says goodbye to the browser and drops the socket; returns without waiting. Idempotent. */
    @Override
    public void close() {
        terminate("closed by the client");
    }

    int pendingCount() {
        return pending.size();
    }

    private static Map<String, Object> message(int id, String method, Map<String, Object> params, String sessionId) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("method", method);
        if (params != null) {
            message.put("params", params);
        }
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        return message;
    }

    private void received(String text) {
        JsonNode message;
        try {
            message = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return; // nothing to match it to; a command it answered times out
        }
        JsonNode id = message.get("id");
        if (id != null && id.canConvertToInt()) {
            if (message.hasNonNull("error")) {
                pending.failWithError(id.intValue(), message.get("error"));
            } else {
                pending.succeed(id.intValue(), message.hasNonNull("result") ? message.get("result") : MAPPER.createObjectNode());
            }
            return;
        }
        String method = message.path("method").textValue();
        String sessionId = message.path("sessionId").textValue();
        if (method != null && listeners.hasListeners(sessionId, method)) {
            JsonNode params = message.hasNonNull("params") ? message.get("params") : MAPPER.createObjectNode();
            try {
                events.execute(() -> listeners.dispatch(sessionId, method, params));
            } catch (RejectedExecutionException e) {
                // closing: late events are dropped
            }
        }
    }

    private void terminate(String reason) {
        if (!goneReason.compareAndSet(null, reason)) {
            return;
        }
        pending.failAll("connection closed: " + reason);
        events.shutdown();
        WebSocket socket = writes.socket();
        if (socket == null) {
            closed.complete(null);
            return;
        }
        // say goodbye after the queued writes, but never wait long on a peer that may be gone
        writes.then(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, ""))
                .orTimeout(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((s, error) -> {
                    socket.abort();
                    closed.complete(null);
                });
    }
}
