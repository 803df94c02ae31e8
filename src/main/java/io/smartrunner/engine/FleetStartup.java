package io.smartrunner.engine;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The fleet's start-up: each configured profile gets its slot with its stored state (and its start
 * jitter), what a previous runner left running is closed ({@link CrashReconciler}), and recovery
 * episodes that a stop or crash interrupted begin again. Loop thread, before the loop turns.
 */
final class FleetStartup {
    private final RunnerConfig config;
    private final SupervisorDeps deps;
    private final ProfileRules rules;
    /**
     * Cluster mode: the sessions a previous runner here left open are closed (their one {@code lost})
     * by whoever takes their profile's lease, and episodes begin when a lease is taken; start-up only
     * stops the processes left on this machine.
     */
    private final boolean clustered;

    FleetStartup(RunnerConfig config, SupervisorDeps deps, ProfileRules rules, boolean clustered) {
        this.clustered = clustered;
        this.config = config;
        this.deps = deps;
        this.rules = rules;
    }

    void run(Map<String, ProfileSlot> slots, PendingWrites pending, TransitionApplier applier,
             RecoveryCoordinator recovery) {
        Map<String, ProfileState> stored = deps.store().loadProfiles();
        long now = deps.time().nanoTime();
        int order = 0;
        for (ProfileConfig p : config.profiles()) {
            ProfileState state = stored.getOrDefault(p.id(), ProfileState.fresh(p.id(), p.pod()));
            if (!state.pod().equals(p.pod())) {
                state = state.withPod(p.pod());
            }
            long jitterMs = config.runner().startJitterMs();
            long jitter = jitterMs == 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(deps.random().nextLong(jitterMs + 1));
            slots.put(p.id(), new ProfileSlot(p, order++, state, now + jitter));
        }
        FleetOrder.interleavePods(slots.values());
        Instant wall = deps.time().now();
        CrashReconciler reconciler = new CrashReconciler(deps, rules, config.session().stopGraceMs(),
                browsersToAdopt(slots));
        if (clustered) {
            reconciler.stopLeftovers(stored, pending, wall);
            return;
        }
        reconciler.reconcile(slots, stored, pending, applier, wall);
        // An episode interrupted by a stop or crash starts again from step 1: nothing is persisted
        // mid-ladder, and needsRecovery (persisted) is what says a profile still needs it.
        for (ProfileSlot slot : slots.values()) {
            if (slot.state.needsRecovery() && !slot.state.paused() && slot.state.lastSessionId() != null) {
                recovery.begin(slot, slot.state.lastSessionId(), wall, now);
            }
        }
    }

    /**
     * Profiles whose browser a previous runner left running on purpose (chromium, closeOnExit
     * false) and the provider will adopt: configured ones, unless paused with closeOnPause.
     */
    private Set<String> browsersToAdopt(Map<String, ProfileSlot> slots) {
        BrowserSettings b = config.browser();
        if (b.provider() != BrowserSettings.Provider.CHROMIUM || b.closeOnExit()) {
            return Set.of();
        }
        return slots.values().stream().filter(s -> !(s.state.paused() && b.closeOnPause()))
                .map(ProfileSlot::id).collect(Collectors.toSet());
    }
}
