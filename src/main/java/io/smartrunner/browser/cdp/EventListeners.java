package io.smartrunner.browser.cdp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Event subscriptions by method and session. Listeners run one event at a time, in arrival order,
 * in subscription order; a listener that throws is reported to the thread's uncaught-exception
 * handler and the others still run. Thread-safe.
 */
final class EventListeners {
    private final Map<String, List<Subscription>> byKey = new ConcurrentHashMap<>();

    /** One subscription; its own object, so subscribing the same consumer twice needs two closes. */
    private final class Subscription implements AutoCloseable {
        private final String key;
        private final Consumer<JsonNode> listener;

        Subscription(String key, Consumer<JsonNode> listener) {
            this.key = key;
            this.listener = listener;
        }

        @Override
        public void close() {
            byKey.computeIfPresent(key, (k, list) -> {
                list.remove(this);
                return list.isEmpty() ? null : list;
            });
        }
    }

    /** Subscribes to {@code method} events of {@code sessionId} (null: the connection's own events). */
    AutoCloseable add(String sessionId, String method, Consumer<JsonNode> listener) {
        String key = key(sessionId, method);
        Subscription subscription = new Subscription(key, listener);
        byKey.compute(key, (k, list) -> {
            List<Subscription> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(subscription);
            return l;
        });
        return subscription;
    }

    boolean hasListeners(String sessionId, String method) {
        return byKey.containsKey(key(sessionId, method));
    }

    /** Calls every listener of the event in order; never throws. */
    void dispatch(String sessionId, String method, JsonNode params) {
        List<Subscription> list = byKey.get(key(sessionId, method));
        if (list == null) {
            return;
        }
        for (Subscription s : list) {
            try {
                s.listener.accept(params);
            } catch (RuntimeException e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }

    private static String key(String sessionId, String method) {
        return sessionId == null ? method : sessionId + "\n" + method;
    }
}
