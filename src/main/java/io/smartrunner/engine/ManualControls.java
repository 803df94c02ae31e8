package io.smartrunner.engine;

import io.smartrunner.event.Events;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Carries out operators' requests on the loop thread, with the same rules and events as the
 * automatic decisions, and answers each request with the profile's new state or why it was refused.
 */
final class ManualControls {
    private final Map<String, ProfileSlot> slots;
    private final ProfileRules rules;
    private final PendingWrites pending;
    private final RecoveryCoordinator recovery;
    private final PauseKeeper pauses;
    /** Stops the slot's running session, not counted against the profile. */
    private final Consumer<ProfileSlot> stopSession;

    ManualControls(Map<String, ProfileSlot> slots, ProfileRules rules, PendingWrites pending,
                   RecoveryCoordinator recovery, PauseKeeper pauses, Consumer<ProfileSlot> stopSession) {
        this.slots = slots;
        this.rules = rules;
        this.pending = pending;
        this.recovery = recovery;
        this.pauses = pauses;
        this.stopSession = stopSession;
    }

    ManualReply handle(ManualRequest request, long nowNanos, Instant now) {
        ProfileSlot slot = slots.get(request.profileId());
        if (slot == null || slot.removed) {
            return ManualReply.unknown(request.profileId());
        }
        if (request instanceof ManualRequest.RunNow r) {
            return runNow(slot, r, nowNanos, now);
        }
        ManualRequest.StateChange change = (ManualRequest.StateChange) request;
        String refusal = change.refusal(slot.state);
        if (refusal != null) {
            return ManualReply.refused(slot.state, refusal);
        }
        boolean pause = change instanceof ManualRequest.Pause;
        if (pause) {
            recovery.cancel(slot.id());
        }
        Transition t = change.apply(rules, slot.state, now);
        slot.state = t.state();
        pending.add(t.events(), t.state(), null);
        if (pause) {
            if (slot.active != null) {
                stopSession.accept(slot);
            }
            pauses.closeBrowserIfPaused(slot);
        }
        return ManualReply.done(t.state());
    }

    private ManualReply runNow(ProfileSlot slot, ManualRequest.RunNow r, long nowNanos, Instant now) {
        ProfileState s = slot.state;
        String busy = s.paused() ? "is paused until " + s.pausedUntil() + "; unpause it first"
                : slot.active != null || slot.spawning != null ? "is already running"
                : recovery.inRecovery(slot.id()) ? "is being recovered; it runs again when its recovery ends"
                : slot.runNowBy != null ? "is already waiting for a free slot" : null;
        if (busy != null) {
            return ManualReply.refused(s, slot.id() + " " + busy);
        }
        slot.runNowBy = r.by();
        slot.notBeforeNanos = nowNanos;
        pending.add(List.of(Events.runRequested(now, slot.pod(), slot.id(), r.by())), null, null);
        return ManualReply.done(s);
    }
}
