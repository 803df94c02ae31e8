package io.smartrunner.engine;

import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.Transition;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Automatic unpausing when a pause's time has come (what a pause implies, the rules' transition
 * carries and {@link TransitionApplier} carries out). Only the profiles whose pause end the
 * {@link StartQueue} has due are looked at, never the whole fleet. Loop thread only.
 */
final class PauseKeeper {
    /** A pause that could not be ended now (not this runner's to end, or its unpause failed) is looked at again this much later. */
    private static final long RETRY_SECONDS = 1;

    private final ProfileRules rules;
    private final TransitionApplier applier;
    private final StartQueue queue;

    PauseKeeper(ProfileRules rules, TransitionApplier applier, StartQueue queue) {
        this.rules = rules;
        this.applier = applier;
        this.queue = queue;
    }

    /**
     * Ends the pauses whose time has come, each on its own under the {@link LoopGuard}.
     *
     * @param holder cluster mode: only the lease holder unpauses, so an unpause happens once fleet-wide
     */
    void expireDue(Map<String, ProfileSlot> slots, Instant now, long nowNanos, Predicate<String> holder,
                   LoopGuard guard) {
        java.util.List<ProfileSlot> due = queue.pausesEnded(now);
        if (due.isEmpty()) {
            return;
        }
        guard.each("pauses", due, slot -> {
            if (holder.test(slot.id())) {
                expire(slot, now, nowNanos);
            }
        });
        for (ProfileSlot slot : due) {
            if (slots.get(slot.id()) == slot && slot.state.paused() && slot.state.pausedUntil() != null) {
                Instant until = slot.state.pausedUntil();
                queue.pauseLater(slot, until.isAfter(now) ? until : now.plusSeconds(RETRY_SECONDS));
            }
        }
    }

    /** Ends the profile's pause if its time has come. */
    void expire(ProfileSlot slot, Instant now, long nowNanos) {
        if (slot.state.paused()) {
            Transition t = rules.expirePause(slot.state, now);
            if (t.changed(slot.state)) {
                applier.apply(slot, t, null, now, nowNanos);
            }
        }
    }
}
