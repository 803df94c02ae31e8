package io.smartrunner.engine;

import io.smartrunner.browser.BrowserCause;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.SessionRecord;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one place a profile's state changes (ArchitectureTest holds it to that): a {@link Transition}
 * is recorded (the slot's state set, its events and state queued in {@link PendingWrites}, so they
 * are written before anything else is decided from them) and then its effects carried out, in this
 * order: the running session stopped, the recovery episode cancelled or begun, the browser closed.
 * A caller that must know its change is durable before its effects (a change by hand) records,
 * writes, and only then performs; one whose write failed takes the change back. Loop thread only.
 */
final class TransitionApplier {
    /** Stops a slot's running session's tree; its end comes back as a message. */
    interface SessionStopper {
        void stop(ProfileSlot slot, FailureReason reason, String detail);
    }

    private final PendingWrites pending;
    private final RecoveryCoordinator recovery;
    private final SessionStopper sessions;
    private final BrowserProvider browsers;
    private final Executor offLoop;
    private final boolean closeBrowserOnPause;
    private final BooleanSupplier stopRequested;
    /**
     * Whether each profile is paused as of the last recorded change: read by a close on pause when
     * it gets its turn off the loop, so one queued before an unpause does not close the browser of
     * a profile no longer paused.
     */
    private final Map<String, Boolean> pausedNow = new ConcurrentHashMap<>();
    /** Files the profile again after each change of its state; null for an applier that only records. */
    private final StartQueue queue;
    /** Where a close on pause that failed is said (stderr): the browser may still run. */
    private final Consumer<String> diagnostics;

    /**
     * @param offLoop             runs the browser's close, which may block, off the loop thread
     * @param closeBrowserOnPause browser.closeOnPause
     * @param stopRequested       the runner is stopping: no recovery episode begins
     */
    TransitionApplier(PendingWrites pending, RecoveryCoordinator recovery, SessionStopper sessions,
                      BrowserProvider browsers, Executor offLoop, boolean closeBrowserOnPause,
                      BooleanSupplier stopRequested, StartQueue queue, Consumer<String> diagnostics) {
        this.queue = queue;
        this.diagnostics = diagnostics;
        this.pending = pending;
        this.recovery = recovery;
        this.sessions = sessions;
        this.browsers = browsers;
        this.offLoop = offLoop;
        this.closeBrowserOnPause = closeBrowserOnPause;
        this.stopRequested = stopRequested;
    }

    /** An applier that only records (for code that performs no effect, e.g. a loop guard in a test). */
    static TransitionApplier recordingOnly(PendingWrites pending) {
        return new TransitionApplier(pending, null, null, null, null, false, () -> true, null, line -> { });
    }

    /** Records then performs: for decisions whose effects may run before the next write. */
    void apply(ProfileSlot slot, Transition t, SessionRecord session, Instant now, long nowNanos) {
        record(slot, t, session);
        perform(slot, t, now, nowNanos);
    }

    /** Sets the slot's state and queues the transition's events and state (and a session row) to be written. */
    void record(ProfileSlot slot, Transition t, SessionRecord session) {
        slot.state = t.state();
        pausedNow.put(slot.id(), slot.state.paused());
        if (queue != null) {
            queue.track(slot);
        }
        pending.add(t.events(), t.state(), session);
    }

    /** The slot's wait changed ({@code notBeforeNanos}): filed again where it now belongs. */
    void refile(ProfileSlot slot) {
        if (queue != null) {
            queue.track(slot);
        }
    }

    /** Takes back a change recorded since {@code mark} whose events could not be written. */
    void takeBack(ProfileSlot slot, ProfileState before, PendingWrites.Mark mark) {
        pending.rollBackTo(mark);
        slot.state = before;
        pausedNow.put(slot.id(), before.paused());
        if (queue != null) {
            queue.track(slot);
        }
    }

    /** Carries out the transition's effects (after its write, when the caller waits for that). */
    void perform(ProfileSlot slot, Transition t, Instant now, long nowNanos) {
        Transition.Effects e = t.effects();
        if (e.stopReason() != null && slot.active != null) {
            sessions.stop(slot, e.stopReason(), e.stopDetail());
        }
        if (e.episode() == Transition.Episode.CANCEL) {
            recovery.cancel(slot.id());
        } else if (e.episode() == Transition.Episode.BEGIN && !stopRequested.getAsBoolean()) {
            recovery.begin(slot, e.episodeSessionId(), t.events(), now, nowNanos);
        }
        if (e.closeBrowser() && slot.state.paused()) {
            closeBrowser(slot.config);
        }
    }

    /**
     * browser.closeOnPause: a paused profile's browser is closed (gracefully, else by force) off the
     * loop, unless the pause has ended by the time the close gets its turn there (an unpause answered
     * with the browser open must not be followed by closeOnPause).
     */
    private void closeBrowser(ProfileConfig profile) {
        if (!closeBrowserOnPause) {
            return;
        }
        offLoop.execute(() -> {
            if (!pausedNow.getOrDefault(profile.id(), true)) {
                return;
            }
            RuntimeException stillRunning = BrowserClose.closeOrForceStop(browsers, profile,
                    BrowserCause.of(null, "closeOnPause"));
            if (stillRunning != null) {
                diagnostics.accept("cannot close the browser of paused profile " + profile.id() + ": "
                        + stillRunning.getMessage() + " (the browser may still be running)");
            }
        });
    }
}
