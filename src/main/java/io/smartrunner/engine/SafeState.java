package io.smartrunner.engine;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SpawnBackoff;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where a profile is left after an internal error in one of its units of work ({@link LoopGuard}):
 * safe (not running in the runner's view unless its process really runs, nothing unwatched) and
 * visible (flagged), without the profile rules, which may be what failed. Loop thread only.
 */
final class SafeState {
    private final TransitionApplier applier;
    private final TimeSource time;
    private final Consumer<Message> inbox;
    private final Consumer<String> cancelRecovery;

    /** @param cancelRecovery ends a profile's recovery episode, if any */
    SafeState(TransitionApplier applier, TimeSource time, Consumer<Message> inbox, Consumer<String> cancelRecovery) {
        this.applier = applier;
        this.time = time;
        this.inbox = inbox;
        this.cancelRecovery = cancelRecovery;
    }

    /**
     * Leaves the profile safe and visible: its recovery episode ends (needsRecovery stays as it
     * was), lastError says what happened, and its next start waits as after a spawn failure.
     * A session process that is alive stays watched; one whose timers failed, or that was launched
     * but is not watched, is stopped with its tree; a session that ended but could not be closed is
     * closed (an {@code error} event, reason lost), so the profile is never left running in the
     * runner's view without a process.
     */
    void settle(ProfileSlot slot, String work, Message.Launched launched, String flag, Instant now) {
        cancelRecovery.accept(slot.id());
        ActiveSession a = slot.active;
        Duration grace = Duration.ofMillis(slot.config.session().stopGraceMs());
        if (launched != null && launched.process() != null && (a == null || a.process != launched.process())) {
            launched.process().stop(grace);
        }
        if (a != null && !a.over()) {
            if (a.stopping == null) { // a stop that never started is no stop: its exit is the session's own
                a.stopReason = null;
                a.stopDetail = null;
            }
            if (a.stopping == null && (work.equals("timers") || work.equals("shutdown"))) {
                stop(slot, a, grace, flag);
            }
            watch(slot, a);
            flag(slot, flag);
        } else if (a != null) {
            slot.active = null;
            if (a.stopping == null) {
                a.process.stop(grace); // what it may have left in its group
            }
            close(slot, a.sessionId(), a.record, flag, now);
        } else if (slot.spawning == null && slot.staged == null && slot.state.running()) {
            close(slot, slot.state.lastSessionId(), launched == null ? null : launched.record(), flag, now);
        } else {
            flag(slot, flag);
        }
        slot.backedOffFailures++;
        long holdUntil = time.nanoTime() + SpawnBackoff.after(slot.backedOffFailures).toNanos();
        slot.notBeforeNanos = holdUntil - slot.notBeforeNanos > 0 ? holdUntil : slot.notBeforeNanos;
    }

    /** Stops the session's tree as {@link SessionLifecycle#stop} does; its end comes back as messages. */
    private void stop(ProfileSlot slot, ActiveSession a, Duration grace, String flag) {
        a.stopReason = FailureReason.SHUTDOWN; // the runner's doing, not the profile's: no streak
        a.stopDetail = flag;
        String profileId = slot.id();
        String sessionId = a.sessionId();
        try {
            a.stopping = a.process.stop(grace);
        } catch (RuntimeException e) { // cannot even stop it: the session stays, its timers stop firing
            a.stopping = CompletableFuture.failedFuture(e);
        }
        a.stopping.whenComplete((v, ex) -> inbox.accept(new Message.Stopped(profileId, sessionId,
                ex == null ? null : String.valueOf(ex.getMessage()))));
    }

    /** Watches the exit again (the failed unit may have been the one to register it; a second exit is ignored). */
    private void watch(ProfileSlot slot, ActiveSession a) {
        String profileId = slot.id();
        String sessionId = a.sessionId();
        a.process.onExit().whenComplete((status, ex) -> inbox.accept(new Message.Exited(profileId, sessionId,
                status != null ? status : new ExitStatus(-1, null, "lost track of the process: " + ex))));
    }

    /** Ends the session in the log and the store without the rules (they may be what failed): no streak. */
    private void close(ProfileSlot slot, String sessionId, SessionRecord record, String flag, Instant now) {
        ProfileState closed = flagged(slot.state, false, flag, now);
        applier.record(slot, new Transition(closed, List.of(Events.sessionFailed(now, slot.pod(), slot.id(), sessionId,
                        Params.builder().put(EventParams.REASON, FailureReason.LOST.wireName())
                                .put(EventParams.FAILURE_CLASS, FailureClass.INFRASTRUCTURE.wireName())
                                .put(EventParams.EXIT_CODE, null).put(EventParams.MESSAGE, flag)
                                .put(EventParams.STDERR_TAIL, "").put(EventParams.ERROR_STREAK, closed.errorStreak())
                                .build(), null))),
                record == null ? null
                        : record.ended(SessionRecord.Status.FAILED, now, FailureReason.LOST.wireName(), null));
    }

    /** Sets lastError to the flag; nothing else changes. */
    private void flag(ProfileSlot slot, String flag) {
        applier.record(slot, Transition.unchanged(flagged(slot.state, slot.state.running(), flag,
                slot.state.lastFinishedAt())), null);
    }

    private static ProfileState flagged(ProfileState s, boolean running, String lastError, Instant finishedAt) {
        return new ProfileState(s.profileId(), s.pod(), s.errorStreak(), running, s.needsRecovery(), s.paused(),
                s.pausedUntil(), s.lastSessionId(), lastError, s.lastStartedAt(), finishedAt, s.pauseCount(),
                s.pausedAt());
    }

}
