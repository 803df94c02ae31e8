package io.smartrunner.engine;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.Transition;
import java.time.Instant;
import java.util.Map;

/**
 * Automatic unpausing when a pause's time has come, and what a pause implies:
 * the profile's recovery episode is cancelled and (browser.closeOnPause) its browser closed.
 * Loop thread only.
 */
final class PauseKeeper {
    private final Map<String, ProfileSlot> slots;
    private final ProfileRules rules;
    private final PendingWrites pending;
    private final RecoveryCoordinator recovery;
    private final SupervisorDeps deps;
    private final boolean closeBrowserOnPause;

    PauseKeeper(Map<String, ProfileSlot> slots, ProfileRules rules, PendingWrites pending, RecoveryCoordinator recovery,
                SupervisorDeps deps, boolean closeBrowserOnPause) {
        this.slots = slots;
        this.rules = rules;
        this.pending = pending;
        this.recovery = recovery;
        this.deps = deps;
        this.closeBrowserOnPause = closeBrowserOnPause;
    }

    /** browser.closeOnPause: a paused profile's browser is closed (gracefully, else by force) off the loop. */
    void closeBrowserIfPaused(ProfileSlot slot) {
        if (!slot.state.paused() || !closeBrowserOnPause) {
            return;
        }
        ProfileConfig profile = slot.config;
        deps.spawner().execute(() -> {
            try {
                deps.browsers().close(profile);
            } catch (RuntimeException e) {
                deps.browsers().forceStop(profile);
            }
        });
    }

    /** Ends the profile's pause if its time has come (the loop does each profile on its own, see {@link LoopGuard}). */
    void expire(ProfileSlot slot, Instant now) {
        if (slot.state.paused()) {
            Transition t = rules.expirePause(slot.state, now);
            if (t.changed(slot.state)) {
                slot.state = t.state();
                pending.add(t.events(), t.state(), null);
            }
        }
    }
}
