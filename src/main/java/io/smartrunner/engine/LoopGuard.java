package io.smartrunner.engine;

import io.smartrunner.event.Events;
import io.smartrunner.event.Redactor;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SpawnBackoff;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one unit of the loop's work (one message, or one profile's timers, recovery, pause or start)
 * so that an unexpected RuntimeException fails that unit alone, as db-scheduler's RunAndLogErrors
 * does, instead of ending the supervision of the whole fleet: one line to diagnostics, an
 * {@code internal-error} event of type {@code runner} (counted in /metrics), and the profile it
 * concerned left in a safe state ({@link #settle}). An Error (OutOfMemoryError, ...) is not caught:
 * after one the runner cannot vouch for anything. Loop thread only.
 */
final class LoopGuard {
    private static final int MAX_MESSAGE_CHARS = 500;

    private final Map<String, ProfileSlot> slots;
    private final PendingWrites pending;
    private final Redactor redactor;
    private final Consumer<String> diagnostics;
    private final TimeSource time;
    private final Consumer<Message> inbox;
    /** Ends a profile's recovery episode, if any. */
    private final Consumer<String> cancelRecovery;

    LoopGuard(Map<String, ProfileSlot> slots, PendingWrites pending, Redactor redactor, Consumer<String> diagnostics,
              TimeSource time, Consumer<Message> inbox, Consumer<String> cancelRecovery) {
        this.slots = slots;
        this.pending = pending;
        this.redactor = redactor;
        this.diagnostics = diagnostics;
        this.time = time;
        this.inbox = inbox;
        this.cancelRecovery = cancelRecovery;
    }

    /** Handles one message; if that fails, its caller still gets an answer (never a hang). */
    void message(Message m, Consumer<Message> handler) {
        String work = null;
        String profileId = null;
        String sessionId = null;
        Message.Launched launched = null;
        if (m instanceof Message.Exited e) {
            work = "exited";
            profileId = e.profileId();
            sessionId = e.sessionId();
        } else if (m instanceof Message.Stopped s) {
            work = "stopped";
            profileId = s.profileId();
            sessionId = s.sessionId();
        } else if (m instanceof Message.Launched l) {
            work = "launched";
            profileId = l.profileId();
            sessionId = l.record().sessionId();
            launched = l;
        } else if (m instanceof Message.StepDone d) {
            work = "step-done";
            profileId = d.profileId();
        } else if (m instanceof Message.Manual h) {
            work = "manual";
            profileId = h.request().profileId();
        } else if (m instanceof Message.Reload) {
            work = "reload";
        } else if (m instanceof Message.Snapshot) {
            work = "snapshot";
        }
        RuntimeException failure = run(work, profileId, sessionId, launched, () -> handler.accept(m));
        if (failure == null) {
            return;
        }
        if (m instanceof Message.Manual h) {
            ProfileSlot slot = slots.get(profileId);
            h.reply().complete(ManualReply.failed(slot == null ? null : slot.state,
                    "internal error, see the runner's log: " + describe(failure)));
        } else if (m instanceof Message.Reload r) {
            r.reply().completeExceptionally(failure);
        } else if (m instanceof Message.Snapshot q) {
            q.reply().completeExceptionally(failure);
        }
    }

    /** {@code unit} for each profile in turn, each failing alone (a profile dropped meanwhile is skipped). */
    void eachProfile(String work, Consumer<ProfileSlot> unit) {
        for (ProfileSlot slot : List.copyOf(slots.values())) {
            if (slots.get(slot.id()) == slot) {
                run(work, slot.id(), null, null, () -> unit.accept(slot));
            }
        }
    }

    /**
     * Runs one unit of work.
     *
     * @param work      what it is, one of {@link Events#LOOP_WORK}
     * @param profileId the profile it concerns, or null
     * @param launched  the launch it handles, whose process may be alive but not yet watched, or null
     * @return the exception it threw (contained), or null
     */
    RuntimeException run(String work, String profileId, String sessionId, Message.Launched launched, Runnable unit) {
        try {
            unit.run();
            return null;
        } catch (RuntimeException e) {
            contain(work, profileId, sessionId, launched, e);
            return e;
        }
    }

    private void contain(String work, String profileId, String sessionId, Message.Launched launched,
                         RuntimeException e) {
        String message = oneLine(e.getMessage());
        diagnostics.accept("internal error while handling " + work + (profileId == null ? "" : " of " + profileId)
                + ": " + e.getClass().getName() + ": " + message + "; the loop goes on");
        ProfileSlot slot = profileId == null ? null : slots.get(profileId);
        Instant now = time.now();
        pending.add(List.of(Events.internalError(now, slot == null ? null : slot.pod(), profileId, sessionId, work,
                e.getClass().getName(), message)), null, null);
        if (slot == null) {
            return;
        }
        try {
            settle(slot, work, launched, "internal error: " + e.getClass().getSimpleName() + ": " + message, now);
        } catch (RuntimeException again) {
            diagnostics.accept("internal error: could not settle " + profileId + " after the previous one: "
                    + again.getClass().getName() + ": " + oneLine(again.getMessage()));
        }
    }

    /**
     * Leaves the profile safe and visible: its recovery episode ends (needsRecovery stays as it
     * was), lastError says what happened, and its next start waits as after a spawn failure.
     * A session process that is alive stays watched; one whose timers failed, or that was launched
     * but is not watched, is stopped with its tree; a session that ended but could not be closed is
     * closed (an {@code error} event, reason lost), so the profile is never left running in the
     * runner's view without a process.
     */
    private void settle(ProfileSlot slot, String work, Message.Launched launched, String flag, Instant now) {
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
            slot.state = flagged(slot.state, slot.state.running(), flag, slot.state.lastFinishedAt());
            pending.add(List.of(), slot.state, null);
        } else if (a != null) {
            slot.active = null;
            if (a.stopping == null) {
                a.process.stop(grace); // what it may have left in its group
            }
            close(slot, a.sessionId(), a.record, flag, now);
        } else if (slot.spawning == null && slot.staged == null && slot.state.running()) {
            close(slot, slot.state.lastSessionId(), launched == null ? null : launched.record(), flag, now);
        } else {
            slot.state = flagged(slot.state, slot.state.running(), flag, slot.state.lastFinishedAt());
            pending.add(List.of(), slot.state, null);
        }
        slot.spawnFailures++;
        long holdUntil = time.nanoTime() + SpawnBackoff.after(slot.spawnFailures).toNanos();
        slot.notBeforeNanos = holdUntil - slot.notBeforeNanos > 0 ? holdUntil : slot.notBeforeNanos;
    }

    /** Stops the session's tree as {@link SessionLifecycle#stop} does; its end comes back as messages. */
    private void stop(ProfileSlot slot, ActiveSession a, Duration grace, String flag) {
        a.stopReason = FailureReason.SHUTDOWN; // the runner's doing, not the profile's: no streak
        a.stopDetail = flag;
        String profileId = slot.id();
        String sessionId = a.sessionId();
        a.stopping = a.process.stop(grace);
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
        slot.state = flagged(slot.state, false, flag, now);
        pending.add(List.of(Events.sessionFailed(now, slot.pod(), slot.id(), sessionId,
                        Events.params("reason", FailureReason.LOST.wireName(), "exitCode", null, "message", flag,
                                "stderrTail", "", "errorStreak", slot.state.errorStreak()), null)),
                slot.state, record == null ? null
                        : record.ended(SessionRecord.Status.FAILED, now, FailureReason.LOST.wireName(), null));
    }

    private static ProfileState flagged(ProfileState s, boolean running, String lastError, Instant finishedAt) {
        return new ProfileState(s.profileId(), s.pod(), s.errorStreak(), running, s.needsRecovery(), s.paused(),
                s.pausedUntil(), s.lastSessionId(), lastError, s.lastStartedAt(), finishedAt, s.pauseCount(),
                s.pausedAt());
    }

    private String describe(RuntimeException e) {
        return e.getClass().getName() + ": " + oneLine(e.getMessage());
    }

    /** Redacted, on one line, bounded. */
    private String oneLine(String message) {
        String text = redactor.redact(String.valueOf(message)).replaceAll("\\s+", " ").strip();
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
}
