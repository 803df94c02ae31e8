package io.smartrunner.admission;

import java.util.concurrent.TimeUnit;

/**
 * The host refused the runner a process or a descriptor: a session's spawn failed with EAGAIN (a
 * process limit, a pids cgroup), ENOMEM, EMFILE or ENFILE. For {@link #WINDOW_NANOS} after the
 * last refusal (doubling while refusals come back as soon as a hold ends, {@link #MAX_WINDOW_NANOS})
 * new starts are held ({@link AdmissionGate}: a {@code pressure} event with
 * {@code short: "processes"}), and a session that fails meanwhile is not blamed on its profile:
 * its own children met the same limit (a shell's "Cannot fork", exit 2), and a reviewer's
 * process limit paused six healthy profiles for 24 h. Loop thread only.
 */
public final class SpawnShortage {
    /** How long a refusal speaks for: long enough to cover the failures of children it starved. */
    public static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * The longest window: a limit that lasts (a pids cgroup left at 60) refused the first starts
     * after every hold, and the hold ended and began again every 10 s, a {@code pressure} and
     * {@code pressure-end} pair each time; each refusal that comes back within a window of the
     * last one's end doubles it, up to this.
     */
    public static final long MAX_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(5);

    private boolean refused;
    private long lastNanos;
    private long windowNanos = WINDOW_NANOS;
    private long count;
    private String reason;

    /** A spawn failed for want of a process or descriptor; {@code reason} is its one line. */
    public void refused(String reason, long nowNanos) {
        if (!within(nowNanos)) {
            count = 0;
            // back right after a hold ended: the limit lasts, hold longer; after a quiet spell, afresh
            boolean soonAfter = refused && nowNanos - endsNanos() < windowNanos;
            windowNanos = soonAfter ? Math.min(MAX_WINDOW_NANOS, windowNanos * 2) : WINDOW_NANOS;
        }
        refused = true;
        lastNanos = nowNanos;
        count++;
        this.reason = reason;
    }

    /** Whether a refusal came within the window before {@code nowNanos}. */
    public boolean within(long nowNanos) {
        return refused && nowNanos - lastNanos < windowNanos;
    }

    /** When the window of the last refusal ends. */
    public long endsNanos() {
        return lastNanos + windowNanos;
    }

    /** Refusals since the window began. */
    public long count() {
        return count;
    }

    /** The last refusal's line. */
    public String reason() {
        return reason;
    }
}
