package io.smartrunner.engine;

import io.smartrunner.event.Events;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Carries out operators' requests on the loop thread, with the same rules and events as the
 * automatic decisions, and answers each request with the profile's new state or why it was refused.
 * A change is answered only once its event is in the log, and its effects (stopping the session,
 * cancelling recovery, closing the browser) follow only then: when the log cannot be written the
 * change is taken back and answered "unavailable", so an acknowledged change is never lost.
 */
final class ManualControls {
    private final Map<String, ProfileSlot> slots;
    private final ProfileRules rules;
    private final PendingWrites pending;
    private final TransitionApplier applier;
    private final RecoveryCoordinator recovery;
    /** Writes what is pending to the log and the store; false when either failed. */
    private final BooleanSupplier writePending;
    /** Why the log or store cannot be written now. */
    private final Supplier<String> problem;
    /** Files a profile asked to run now at the front of its pod's line ({@link StartQueue#track}). */
    private final java.util.function.Consumer<ProfileSlot> refile;

    /** @param recovery asked only whether a profile is being recovered (a pause's effects go through the applier) */
    /** The runner is stopping: no session starts any more. */
    private final BooleanSupplier stopping;

    ManualControls(Map<String, ProfileSlot> slots, ProfileRules rules, PendingWrites pending,
                   TransitionApplier applier, RecoveryCoordinator recovery, BooleanSupplier writePending,
                   Supplier<String> problem, java.util.function.Consumer<ProfileSlot> refile,
                   BooleanSupplier stopping) {
        this.refile = refile;
        this.stopping = stopping;
        this.slots = slots;
        this.rules = rules;
        this.pending = pending;
        this.applier = applier;
        this.recovery = recovery;
        this.writePending = writePending;
        this.problem = problem;
    }

    ManualReply handle(ManualRequest request, long nowNanos, Instant now) {
        ProfileSlot slot = slots.get(request.profileId());
        if (slot == null || slot.removed) {
            return ManualReply.unknown(request.profileId());
        }
        // earlier decisions first, all of them (log and store): a change is refused while either is
        // known broken, and a failed write below can only be this change's, taken back alone
        if (!writePending.getAsBoolean()) {
            return ManualReply.unavailable(slot.state, problem.get());
        }
        if (request instanceof ManualRequest.RunNow r) {
            return runNow(slot, r, nowNanos, now);
        }
        ManualRequest.StateChange change = (ManualRequest.StateChange) request;
        String refusal = change.refusal(slot.state, now);
        if (refusal != null) {
            return ManualReply.refused(slot.state, refusal);
        }
        ProfileState before = slot.state;
        PendingWrites.Mark mark = pending.mark();
        Transition t = change.apply(rules, before, now);
        applier.record(slot, t, null);
        if (!writtenToTheLog()) {
            applier.takeBack(slot, before, mark);
            return ManualReply.unavailable(before, problem.get());
        }
        // durable: now its effects (a pause stops the session, cancels recovery, closes the browser)
        applier.perform(slot, t, now, nowNanos);
        return ManualReply.done(t.state());
    }

    /**
     * Writes the change just made; true once its events are in the log. If only the store failed
     * (it broke during this very write) the change stands: the log has it, and the store row
     * follows at the next successful write.
     */
    private boolean writtenToTheLog() {
        return writePending.getAsBoolean() || pending.eventCount() == 0;
    }

    private ManualReply runNow(ProfileSlot slot, ManualRequest.RunNow r, long nowNanos, Instant now) {
        ProfileState s = slot.state;
        // a run event with no session after it: the request is not kept across the restart
        String busy = stopping.getAsBoolean() ? "cannot run now: the runner is stopping; ask again once it runs again"
                : s.paused() ? "is paused until " + s.pausedUntil() + "; unpause it first"
                : slot.active != null || slot.spawning != null ? "is already running"
                : recovery.inRecovery(slot.id()) ? "is being recovered; it runs again when its recovery ends"
                : slot.runNowBy != null ? "is already waiting for a free slot" : null;
        if (busy != null) {
            return ManualReply.refused(s, slot.id() + " " + busy);
        }
        PendingWrites.Mark mark = pending.mark();
        pending.add(List.of(Events.runRequested(now, slot.pod(), slot.id(), r.by())), null, null);
        if (!writtenToTheLog()) {
            pending.rollBackTo(mark);
            return ManualReply.unavailable(s, problem.get());
        }
        slot.runNowBy = r.by();
        slot.notBeforeNanos = nowNanos;
        refile.accept(slot);
        return ManualReply.done(s);
    }
}
