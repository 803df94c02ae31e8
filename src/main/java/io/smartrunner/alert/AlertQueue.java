package io.smartrunner.alert;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The bounded hand-over from the supervisor loop to the sender thread. {@link #offer} never
 * waits: when the queue is full the oldest waiting alert is dropped (the newest say most about
 * the fleet now) and counted. Thread-safe; every method holds the lock for O(1) work only.
 */
final class AlertQueue {
    /** What an offer did: whether it dropped an alert, and whether that began a spell of drops. */
    enum Offered { QUEUED, DROPPED_OLDEST, DROPPED_OLDEST_FIRST, REFUSED_CLOSED }

    private final Deque<Alert> alerts = new ArrayDeque<>();
    private final int capacity;
    private boolean closed;
    private long dropped;
    private long droppedInSpell;

    AlertQueue(int capacity) {
        this.capacity = capacity;
    }

    synchronized Offered offer(Alert alert) {
        if (closed) {
            return Offered.REFUSED_CLOSED;
        }
        Offered offered = Offered.QUEUED;
        if (alerts.size() >= capacity) {
            alerts.removeFirst();
            dropped++;
            offered = droppedInSpell++ == 0 ? Offered.DROPPED_OLDEST_FIRST : Offered.DROPPED_OLDEST;
        }
        alerts.addLast(alert);
        notifyAll();
        return offered;
    }

    /** The oldest alert, waiting for one; null once closed and empty. */
    synchronized Alert take() throws InterruptedException {
        while (alerts.isEmpty() && !closed) {
            wait();
        }
        return alerts.pollFirst();
    }

    /** Ends the current spell of drops when the queue has run empty; returns how many it dropped (0: none). */
    synchronized long endSpellIfEmpty() {
        if (!alerts.isEmpty() || droppedInSpell == 0) {
            return 0;
        }
        long spell = droppedInSpell;
        droppedInSpell = 0;
        return spell;
    }

    /** No more offers; {@link #take} returns what is left, then null. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized int size() {
        return alerts.size();
    }

    synchronized long dropped() {
        return dropped;
    }

    /** Ends the current spell of drops whatever is left; returns how many it dropped. */
    synchronized long endSpell() {
        long spell = droppedInSpell;
        droppedInSpell = 0;
        return spell;
    }
}
