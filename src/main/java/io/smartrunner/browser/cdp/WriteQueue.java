package io.smartrunner.browser.cdp;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Writes to one WebSocket in call order, each after the one before has finished: the JDK allows
 * one outstanding send at a time and throws "Send pending" otherwise. Callers never block; a failed
 * write does not stop the ones after it. Thread-safe.
 */
final class WriteQueue {
    private final Object lock = new Object();
    private CompletableFuture<WebSocket> last = CompletableFuture.completedFuture(null); // guarded by lock
    private volatile WebSocket socket;

    /** The socket, once the JDK has opened it; null before. */
    WebSocket socket() {
        return socket;
    }

    void attach(WebSocket socket) {
        this.socket = socket;
    }

    /** Queues {@code write}; the future is the write's own. */
    CompletableFuture<WebSocket> then(Function<WebSocket, CompletableFuture<WebSocket>> write) {
        synchronized (lock) {
            CompletableFuture<WebSocket> next = last.handle((ws, error) -> null).thenCompose(x -> write.apply(socket));
            last = next;
            return next;
        }
    }
}
