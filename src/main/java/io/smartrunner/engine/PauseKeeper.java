package io.smartrunner.engine;

import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.Transition;
import java.time.Instant;

/**
 * Automatic unpausing when a pause's time has come (what a pause implies, the rules' transition
 * carries and {@link TransitionApplier} carries out). Loop thread only.
 */
final class PauseKeeper {
    private final ProfileRules rules;
    private final TransitionApplier applier;

    PauseKeeper(ProfileRules rules, TransitionApplier applier) {
        this.rules = rules;
        this.applier = applier;
    }

    /** Ends the profile's pause if its time has come (the loop does each profile on its own, see {@link LoopGuard}). */
    void expire(ProfileSlot slot, Instant now, long nowNanos) {
        if (slot.state.paused()) {
            Transition t = rules.expirePause(slot.state, now);
            if (t.changed(slot.state)) {
                applier.apply(slot, t, null, now, nowNanos);
            }
        }
    }
}
