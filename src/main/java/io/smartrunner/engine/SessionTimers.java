package io.smartrunner.engine;

import io.smartrunner.profile.FailureReason;
import java.util.concurrent.TimeUnit;

/**
 * The running sessions' timers, on the monotonic clock: the session timeout, and output polls that
 * detect a hang (idleTimeoutMs) and rotate the logs. Loop thread only.
 */
final class SessionTimers {
    /** Output polls: for idle detection at least this often; for log rotation alone, every 5 s. */
    private static final long OUTPUT_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long ROTATION_POLL_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Stops a session whose timer ran out. */
    @FunctionalInterface
    interface Stopper {
        void stop(ProfileSlot slot, FailureReason reason, String detail);
    }

    private final Stopper stopper;

    SessionTimers(Stopper stopper) {
        this.stopper = stopper;
    }

    /** One profile's timers (the loop checks each profile on its own, see {@link LoopGuard}). */
    void check(ProfileSlot slot, long now) {
        ActiveSession a = slot.active;
        if (a == null || a.stopping != null) {
            return;
        }
        if (now - a.deadlineNanos >= 0) {
            stopper.stop(slot, FailureReason.TIMEOUT, "ran longer than timeoutMs " + slot.config.session().timeoutMs());
        } else if (now - a.nextPollNanos >= 0) {
            pollOutput(slot, a, now);
        }
    }

    private void pollOutput(ProfileSlot slot, ActiveSession a, long now) {
        long bytes = a.process.pollOutput();
        if (bytes != a.lastOutputBytes) {
            a.lastOutputBytes = bytes;
            a.lastActivityNanos = now;
        }
        if (a.idleTimeoutNanos > 0 && now - a.lastActivityNanos >= a.idleTimeoutNanos) {
            stopper.stop(slot, FailureReason.HANG, "printed nothing for idleTimeoutMs " + slot.config.session().idleTimeoutMs());
            return;
        }
        a.nextPollNanos = nextPollAfter(now, a.idleTimeoutNanos);
    }

    /**
     * Polls fall on a grid shared by every session with the same interval, so 1 000 idle sessions
     * wake the loop once a second, not 1 000 times at scattered instants.
     */
    static long nextPollAfter(long now, long idleTimeoutNanos) {
        long interval = idleTimeoutNanos > 0 ? Math.min(OUTPUT_POLL_NANOS, idleTimeoutNanos / 4 + 1) : ROTATION_POLL_NANOS;
        return (Math.floorDiv(now, interval) + 1) * interval;
    }
}
