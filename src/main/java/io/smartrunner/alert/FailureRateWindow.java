package io.smartrunner.alert;

import io.smartrunner.config.AlertSettings.FailureRate;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The fleet rule's state: ended and failed sessions over a sliding window, and when it last
 * alerted. Counts live in {@link #SLICES} slices of windowMs / 60 each, so memory stays the same
 * at any session rate; a session leaves the window between 59/60 and 60/60 of windowMs after it
 * ended. The rule fires when, with at least minSessions ended in the window, the failed share is
 * above thresholdPercent and no failure-rate alert went out in the last cooldownMs. After the
 * cooldown a rate above the threshold fires again: a reminder ({@code repeat}) when it never went
 * down to the threshold in between (too few sessions to judge does not count as down), else a new
 * crossing. Pure: monotonic time is passed in. Not thread-safe.
 */
final class FailureRateWindow {
    static final int SLICES = 60;

    /** The figures of one firing. {@code repeat}: the rate stayed above the threshold since the last alert. */
    record Firing(long failed, long ended, boolean repeat) {
        double percent() {
            return Math.round(failed * 1000.0 / ended) / 10.0;
        }
    }

    private final FailureRate settings;
    private final long sliceNanos;
    /** Each slice: {index, ended, failed}, oldest first. */
    private final Deque<long[]> slices = new ArrayDeque<>();
    private long ended;
    private long failed;
    private boolean alerted;
    private long lastAlertNanos;
    private boolean aboveSinceLastAlert;

    FailureRateWindow(FailureRate settings) {
        this.settings = settings;
        this.sliceNanos = Math.max(1, TimeUnit.MILLISECONDS.toNanos(settings.windowMs()) / SLICES);
    }

    /** Counts one ended session (failed or not) at {@code nowNanos}; returns a firing when an alert is due. */
    Optional<Firing> record(boolean sessionFailed, long nowNanos) {
        long index = Math.floorDiv(nowNanos, sliceNanos);
        expire(index);
        count(index, sessionFailed);
        if (ended < settings.minSessions()) {
            // too few to judge: neither above nor below
            return Optional.empty();
        }
        if (failed * 100 <= settings.thresholdPercent() * ended) {
            aboveSinceLastAlert = false;
            return Optional.empty();
        }
        // compared as a difference: nanoTime may be negative or wrap
        if (alerted && nowNanos - lastAlertNanos < TimeUnit.MILLISECONDS.toNanos(settings.cooldownMs())) {
            return Optional.empty();
        }
        boolean repeat = alerted && aboveSinceLastAlert;
        alerted = true;
        lastAlertNanos = nowNanos;
        aboveSinceLastAlert = true;
        return Optional.of(new Firing(failed, ended, repeat));
    }

    /** A session that ended at {@code atNanos} before this runner started (recalled from the log): counted, never judged. */
    void remember(boolean sessionFailed, long atNanos) {
        long index = Math.floorDiv(atNanos, sliceNanos);
        long[] last = slices.peekLast();
        if (last != null && index < last[0]) {
            return; // out of order: the recall is oldest first, so this is older than what the window holds
        }
        count(index, sessionFailed);
    }

    /** One end into the slice of {@code index} (the newest, or a new one after it). */
    private void count(long index, boolean sessionFailed) {
        long[] last = slices.peekLast();
        if (last == null || last[0] != index) {
            last = new long[] {index, 0, 0};
            slices.addLast(last);
        }
        last[1]++;
        ended++;
        if (sessionFailed) {
            last[2]++;
            failed++;
        }
    }

    private void expire(long currentIndex) {
        while (!slices.isEmpty() && slices.peekFirst()[0] <= currentIndex - SLICES) {
            long[] old = slices.removeFirst();
            ended -= old[1];
            failed -= old[2];
        }
    }
}
