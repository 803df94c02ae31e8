package io.smartrunner.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The loop's inbox: what other threads tell it (process exits, step results, launches) and ask it
 * (a reply the loop completes). The loop waits here for the next message or its next deadline;
 * a message that ends the wait is carried into the next drain, so none is lost or reordered.
 * <p>A message added {@linkplain #addQuietly quietly} does not wake the loop: it rides with the
 * next one, or is handled {@link #QUIET_WITHIN_NANOS} later at the latest, provided the loop
 * {@linkplain #await waits} saying that one may come: a loop already asleep is not woken by it,
 * and a session running alone would have its launch, and its timeout and hang timers with it,
 * taken in only when the loop woke for something else (up to 5 s later).
 */
final class LoopInbox {
    /** How long a quiet message may wait for a turn of the loop. */
    static final long QUIET_WITHIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Message> quiet = new ConcurrentLinkedQueue<>();
    /** Touched by the loop thread only. */
    private Message carried;

    /** Thread-safe. */
    void add(Message m) {
        queue.add(m);
    }

    /**
     * Adds a message that need not wake the loop now. It is handled before every message added
     * after it (by any thread), within {@link #QUIET_WITHIN_NANOS}. Thread-safe.
     */
    void addQuietly(Message m) {
        quiet.add(m);
    }

    /**
     * Puts one question per item to the loop, all taken in the same turn ({@link Message.Batch});
     * the replies in the items' order. Thread-safe.
     */
    <I, T> List<CompletableFuture<T>> askAll(List<I> items,
                                             java.util.function.BiFunction<I, CompletableFuture<T>, Message> question) {
        List<CompletableFuture<T>> replies = new ArrayList<>(items.size());
        List<Message> messages = new ArrayList<>(items.size());
        for (I item : items) {
            CompletableFuture<T> reply = new CompletableFuture<>();
            replies.add(reply);
            messages.add(question.apply(item, reply));
        }
        if (!messages.isEmpty()) {
            queue.add(new Message.Batch(List.copyOf(messages)));
        }
        return replies;
    }

    /** Puts a question to the loop; the loop completes the reply. Thread-safe. */
    <T> CompletableFuture<T> ask(Function<CompletableFuture<T>, Message> question) {
        CompletableFuture<T> reply = new CompletableFuture<>();
        queue.add(question.apply(reply));
        return reply;
    }

    /**
     * Waits up to {@code nanos} for a message (loop thread).
     *
     * @param quietMayCome a quiet message may be added while the loop waits (a launch in flight):
     *                     the wait then ends within {@link #QUIET_WITHIN_NANOS}, as for one already there
     */
    void await(long nanos, boolean quietMayCome) throws InterruptedException {
        boolean bounded = quietMayCome || !quiet.isEmpty();
        carried = queue.poll(bounded ? Math.min(nanos, QUIET_WITHIN_NANOS) : nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Everything that arrived (loop thread): the quiet messages first, then the others in arrival
     * order. The queue is drained before the quiet ones, so a message that came after a quiet one
     * (a session's exit after its launch) is never handed out before it. A {@link Message.Batch}
     * comes out as its messages, in place.
     */
    List<Message> drain() {
        List<Message> loud = new ArrayList<>();
        if (carried != null) {
            loud.add(carried);
            carried = null;
        }
        queue.drainTo(loud);
        loud = unpacked(loud);
        if (quiet.isEmpty()) {
            return loud;
        }
        List<Message> messages = new ArrayList<>(loud.size() + 4);
        for (Message m = quiet.poll(); m != null; m = quiet.poll()) {
            messages.add(m);
        }
        messages.addAll(loud);
        return messages;
    }

    private static List<Message> unpacked(List<Message> messages) {
        if (messages.stream().noneMatch(m -> m instanceof Message.Batch)) {
            return messages;
        }
        List<Message> flat = new ArrayList<>(messages.size() * 2);
        for (Message m : messages) {
            if (m instanceof Message.Batch b) {
                flat.addAll(b.messages());
            } else {
                flat.add(m);
            }
        }
        return flat;
    }
}
