package io.smartrunner.browser.cdp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Commands sent and not yet answered, by id. Every way out (reply, error, timeout, connection
 * gone, caller cancelling) removes the entry <em>before</em> completing its future, so whoever
 * sees the future done also sees the map without it. Thread-safe.
 */
final class PendingCommands {
    private record Pending(String method, CompletableFuture<JsonNode> reply) {
    }

    private final Map<Integer, Pending> byId = new ConcurrentHashMap<>();

    /** Registers command {@code id}; its future fails with "timed out" unless answered within {@code timeout}. */
    CompletableFuture<JsonNode> register(int id, String method, Duration timeout) {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        Pending pending = new Pending(method, reply);
        byId.put(id, pending);
        long ms = timeout.toMillis();
        // the JDK's shared delayer drops a cancelled timer at once, so answered commands leave nothing behind
        CompletableFuture<Void> deadline = new CompletableFuture<Void>().completeOnTimeout(null, ms, TimeUnit.MILLISECONDS);
        deadline.thenRun(() -> fail(id, pending, method + ": timed out after " + ms + " ms"));
        reply.whenComplete((result, error) -> {
            byId.remove(id, pending);
            deadline.cancel(false);
        });
        return reply;
    }

    /** Completes command {@code id} with its {@code result}; a reply for an unknown id (timed out already) is dropped. */
    void succeed(int id, JsonNode result) {
        Pending pending = byId.remove(id);
        if (pending != null) {
            pending.reply.complete(result);
        }
    }

    /** Fails command {@code id} with the browser's error reply. */
    void failWithError(int id, JsonNode error) {
        Pending pending = byId.remove(id);
        if (pending != null) {
            StringBuilder message = new StringBuilder(pending.method).append(": ")
                    .append(error.path("code").asText("?")).append(' ')
                    .append(error.path("message").asText("(no message)"));
            if (error.hasNonNull("data")) {
                message.append(" (").append(error.get("data").asText(error.get("data").toString())).append(')');
            }
            pending.reply.completeExceptionally(new CdpException(message.toString().replaceAll("\\s+", " ")));
        }
    }

    /** Fails command {@code id}, if still pending, with "{@code <method>: <why>}". */
    void fail(int id, String why) {
        Pending pending = byId.get(id);
        if (pending != null) {
            fail(id, pending, pending.method + ": " + why);
        }
    }

    /** Fails every pending command at once with "{@code <method>: <why>}". */
    void failAll(String why) {
        byId.forEach((id, pending) -> fail(id, pending, pending.method + ": " + why));
    }

    int size() {
        return byId.size();
    }

    private void fail(int id, Pending pending, String message) {
        if (byId.remove(id, pending)) {
            pending.reply.completeExceptionally(new CdpException(message));
        }
    }
}
