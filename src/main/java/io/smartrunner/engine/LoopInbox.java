package io.smartrunner.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The loop's inbox: what other threads tell it (process exits, step results, launches) and ask it
 * (a reply the loop completes). The loop waits here for the next message or its next deadline;
 * a message that ends the wait is carried into the next drain, so none is lost or reordered.
 */
final class LoopInbox {
    private final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    /** Touched by the loop thread only. */
    private Message carried;

    /** Thread-safe. */
    void add(Message m) {
        queue.add(m);
    }

    /** Puts a question to the loop; the loop completes the reply. Thread-safe. */
    <T> CompletableFuture<T> ask(Function<CompletableFuture<T>, Message> question) {
        CompletableFuture<T> reply = new CompletableFuture<>();
        queue.add(question.apply(reply));
        return reply;
    }

    /** Waits up to {@code nanos} for a message (loop thread). */
    void await(long nanos) throws InterruptedException {
        carried = queue.poll(nanos, TimeUnit.NANOSECONDS);
    }

    /** Everything that arrived, in arrival order (loop thread). */
    List<Message> drain() {
        List<Message> messages = new ArrayList<>();
        if (carried != null) {
            messages.add(carried);
            carried = null;
        }
        queue.drainTo(messages);
        return messages;
    }
}
