package io.smartrunner.engine;

import io.smartrunner.profile.FailureReason;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The running sessions' timers, on the monotonic clock: the session timeout, and output polls that
 * detect a hang (idleTimeoutMs) and rotate the logs. Loop thread only.
 */
final class SessionTimers {
    /** Output polls: for idle detection at least this often. */
    private static final long OUTPUT_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * For log rotation alone: a child that starts writing flat out after a quiet spell grows its
     * log past the cap by what it writes until the next poll; with 5 s between polls that was 1.77 GB
     * against a 1 MiB cap (reviewer R9). Once a session's files are watched (quiet for two polls)
     * it is polled every 5 s again ({@link #quietPollAfter}), and polled soon when the watch says
     * a file was written ({@link #written}).
     */
    private static final long ROTATION_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** For a session whose logs are watched and untouched ({@link #quietPollAfter}). */
    private static final long QUIET_POLL_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The shortest interval between a hang-detected session's polls (an idleTimeoutMs of 1 ms would spin the loop). */
    private static final long MIN_HANG_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    /** The soonest a fast writer's next poll comes ({@link #soonerForAFastWriter}). */
    private static final long FAST_WRITER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Stops a session whose timer ran out. */
    @FunctionalInterface
    interface Stopper {
        void stop(ProfileSlot slot, FailureReason reason, String detail);
    }

    /** At most this long between two looks at every session's timers (a unit the loop guard held back is retried then). */
    private static final long MAX_GAP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Stopper stopper;
    private final RotationFailures rotations;
    /** The earliest timer seen by the last look at every session, lowered by each session started since. */
    private long dueNanos;
    private boolean looked;
    /** Profiles whose session started since the last look, and those still running ({@link #running}). */
    private final Set<ProfileSlot> running = new LinkedHashSet<>();

    SessionTimers(Stopper stopper, RotationFailures rotations) {
        this.stopper = stopper;
        this.rotations = rotations;
    }

    /**
     * Whether any session's timer may have come by {@code now}: the loop looks at every profile's
     * timers only then ({@link #beginLook}, then {@link #check} for each), not on every turn.
     */
    boolean due(long now) {
        return !looked || now - dueNanos >= 0;
    }

    /** A look at every profile's timers begins. */
    void beginLook(long now) {
        looked = true;
        dueNanos = now + MAX_GAP_NANOS;
    }

    /** A session started: its timers count from now on. */
    void armed(ProfileSlot slot) {
        running.add(slot);
        lower(slot.active);
    }

    private void lower(ActiveSession a) {
        dueNanos = earlier(dueNanos, earlier(a.deadlineNanos, a.nextPollNanos));
    }

    /**
     * The profiles a look checks: every one with a running session, in the order their sessions
     * started. Those whose sessions ended since are forgotten here, not at each end: a look walks
     * the running sessions, not the fleet (10 000 profiles, up to ten looks a second).
     */
    List<ProfileSlot> running() {
        running.removeIf(slot -> slot.active == null);
        return List.copyOf(running);
    }

    /** When the loop must look at the timers again at the latest. */
    long nextDueNanos() {
        return dueNanos;
    }

    /** One profile's timers (the loop checks each profile on its own, see {@link LoopGuard}). */
    void check(ProfileSlot slot, long now) {
        ActiveSession a = slot.active;
        if (a == null || a.stopping != null) {
            return;
        }
        if (now - a.deadlineNanos >= 0) {
            if (a.process.exitedByNow()) {
                return; // it ended by itself while the runner was frozen: its exit, on its way, ends it
            }
            stopper.stop(slot, FailureReason.TIMEOUT, "ran longer than timeoutMs " + slot.config.session().timeoutMs());
        } else if (now - a.nextPollNanos >= 0) {
            pollOutput(slot, a, now);
        }
        if (slot.active == a && a.stopping == null) {
            lower(a);
        }
    }

    /**
     * The watch of a quiet session's logs says one was written (the session {@code sessionId} of
     * {@code slot}, if it still runs): polled within 100-200 ms, not at its next quiet poll up to
     * 5 s away, by when a child that began to write flat out grew its log to 1.86 GB against a
     * 1 MiB cap (reviewer R9). Not at once: a poll that comes a little after the write sees how
     * fast the child writes, and a burst is then polled as often as it needs
     * ({@link #soonerForAFastWriter}); on a grid, so sessions written within the same tenth of a
     * second share the loop's turn. Only sessions without hang detection are told
     * ({@link SessionLaunch}): the others are polled every second at least.
     */
    void written(ProfileSlot slot, String sessionId, long now) {
        ActiveSession a = slot.active;
        if (a == null || a.stopping != null || !a.sessionId().equals(sessionId)) {
            return;
        }
        a.nextPollNanos = earlier(a.nextPollNanos, onGridAfter(now + FAST_WRITER_POLL_NANOS, FAST_WRITER_POLL_NANOS));
        lower(a);
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    private void pollOutput(ProfileSlot slot, ActiveSession a, long now) {
        boolean quiet = a.process.outputQuiet(); // watched and untouched: nothing to look at
        long bytes = quiet ? a.lastOutputBytes : rotations.poll(slot, a, now);
        long grown = bytes - a.lastOutputBytes;
        long since = now - a.lastPollNanos;
        a.lastPollNanos = now;
        if (bytes != a.lastOutputBytes) {
            a.lastOutputBytes = bytes;
            a.lastActivityNanos = now;
        }
        if (a.idleTimeoutNanos > 0 && now - a.lastActivityNanos >= a.idleTimeoutNanos && !a.process.exitedByNow()) {
            stopper.stop(slot, FailureReason.HANG, "printed nothing for idleTimeoutMs " + slot.config.session().idleTimeoutMs()
                    + " (nothing new seen for " + TimeUnit.NANOSECONDS.toMillis(now - a.lastActivityNanos) + " ms)");
            return;
        }
        a.nextPollNanos = earlier(quiet && a.idleTimeoutNanos == 0 ? quietPollAfter(now) : nextPollAfter(now, a.idleTimeoutNanos),
                soonerForAFastWriter(now, grown, since, slot.config.session().logMaxBytes()));
    }

    /**
     * A log is rotated when a poll finds it past logMaxBytes, so between two polls it grows by what
     * the child writes meanwhile: a child writing 110 MB/s took a 10 MiB log to 150-260 MB. One that
     * grew by more than a quarter of the cap since the last poll is polled again as much sooner as
     * it writes faster (never within 100 ms), so a file stays within a few times its cap; the grid
     * of {@link #nextPollAfter} stays for every other session.
     *
     * @return when to poll such a writer next; {@code Long.MAX_VALUE} relative to now when it is not one
     */
    static long soonerForAFastWriter(long now, long grown, long sinceNanos, long capBytes) {
        long quarter = Math.max(1, capBytes / 4);
        if (grown <= quarter || sinceNanos <= 0) {
            return now + Long.MAX_VALUE / 2;
        }
        double interval = (double) sinceNanos * quarter / grown;
        return now + Math.max(FAST_WRITER_POLL_NANOS, (long) interval);
    }

    /**
     * A session's first poll: the grid's next instant, within a second of its start even without
     * idle detection (until then a child that writes fast grows its log unchecked; from then on
     * {@link #soonerForAFastWriter} keeps up). On the shared grid, so sessions started within the
     * same second share it: at 500 starts a second, first polls at each start's own instant plus a
     * second made a timer due at almost every turn, and every such turn walked all 10 000 profiles
     * (the fleet's runner CPU went from 32 to 48 % of a core, forty-fourth session).
     */
    static long firstPoll(long startNanos, long idleTimeoutNanos) {
        return nextPollAfter(startNanos, idleTimeoutNanos);
    }

    /**
     * A session whose logs are watched and untouched is looked at every {@link #QUIET_POLL_NANOS}:
     * at a poll a second, 200 idle sessions cost the loop a turn every second (about a millisecond
     * each in the runner's first minutes, while the loop's code is still interpreted: 0.17 % of a
     * core in the harness's idle window, against 0.04 % with 5 s).
     */
    static long quietPollAfter(long now) {
        return onGridAfter(now, QUIET_POLL_NANOS);
    }

    /** The first instant after {@code now} on the grid of {@code interval} every session shares. */
    private static long onGridAfter(long now, long interval) {
        return (Math.floorDiv(now, interval) + 1) * interval;
    }

    /**
     * Polls fall on a grid shared by every session with the same interval, so 1 000 idle sessions
     * wake the loop once a second, not 1 000 times at scattered instants.
     *
     * <p>With hang detection, an eighth of idleTimeoutMs (at most a second, at least
     * {@link #MIN_HANG_POLL_NANOS}): a poll sees a write up to one interval after it happened, and the
     * hang is seen at the first poll past idleTimeoutMs from then, so a hang is noticed within
     * idleTimeoutMs and a quarter of it (the promise; for timeouts from 200 ms). With a quarter it was
     * up to half of it late (reviewer R9: 1.45 s for 1 000 ms, 4.5 s for 3 000 ms).
     */
    static long nextPollAfter(long now, long idleTimeoutNanos) {
        long interval = idleTimeoutNanos > 0
                ? Math.max(MIN_HANG_POLL_NANOS, Math.min(OUTPUT_POLL_NANOS, idleTimeoutNanos / 8))
                : ROTATION_POLL_NANOS;
        return onGridAfter(now, interval);
    }
}
