package io.smartrunner.engine;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.StateStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies a reloaded configuration to the fleet's slots: profiles added start like any other,
 * changed ones use their new settings from their next session, removed ones have their recovery
 * cancelled and their session stopped (not counted against them), then are dropped. Loop thread only.
 */
final class FleetReload {
    private final Map<String, ProfileSlot> slots;
    private final RecoveryCoordinator recovery;
    private final StateStore store;
    /** Stops a removed profile's running session. */
    private final Consumer<ProfileSlot> stopRemoved;
    /** Forgets a removed profile that has nothing running. */
    private final Consumer<ProfileSlot> drop;
    private final Consumer<String> diagnostics;
    private final TransitionApplier applier;
    /** The configuration in force (its profiles and pods). */
    private RunnerConfig running;
    /**
     * The one the runner started with: its runner-wide blocks stay in force until a restart, so a
     * reload needs one while they differ (not only at the reload that changed them).
     */
    private final RunnerConfig started;

    FleetReload(RunnerConfig running, Map<String, ProfileSlot> slots, RecoveryCoordinator recovery, StateStore store,
                TransitionApplier applier, Consumer<ProfileSlot> stopRemoved, Consumer<ProfileSlot> drop,
                Consumer<String> diagnostics) {
        this.applier = applier;
        this.running = running;
        this.started = running;
        this.slots = slots;
        this.recovery = recovery;
        this.store = store;
        this.stopRemoved = stopRemoved;
        this.drop = drop;
        this.diagnostics = diagnostics;
    }

    /** The configuration in force. */
    RunnerConfig running() {
        return running;
    }

    /**
     * What {@code next} would change, without changing anything: the reload's event is written
     * from it before any of it takes effect ({@link #perform}).
     */
    ReloadSummary plan(RunnerConfig next) {
        Map<String, ProfileConfig> wanted = wanted(next);
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (ProfileSlot slot : slots.values()) {
            ProfileConfig now = wanted.get(slot.id());
            if (now == null) {
                if (!slot.removed) {
                    removed.add(slot.id());
                }
            } else if (slot.removed) {
                added.add(slot.id()); // back before its stopping session ended and it was dropped: it stays
            } else if (!now.equals(slot.config)) {
                changed.add(slot.id());
            }
        }
        wanted.keySet().stream().filter(id -> !slots.containsKey(id)).forEach(added::add);
        return new ReloadSummary(added, removed, changed, AppliedSettings.differing(running, next),
                RestartSettings.differing(started, next),
                next.source() == null ? null : next.source().toAbsolutePath().normalize());
    }

    /** Makes {@code plan} (of {@code next}) take effect, once its event is in the log, and tells the operator. */
    void perform(RunnerConfig next, ReloadSummary plan, long nowNanos) {
        Map<String, ProfileConfig> wanted = wanted(next);
        for (String id : plan.removed()) {
            remove(slots.get(id));
        }
        for (String id : plan.changed()) {
            ProfileSlot slot = slots.get(id);
            ProfileConfig now = wanted.get(id);
            slot.config = now;
            if (!slot.state.pod().equals(now.pod())) {
                // moved to another pod: its events and its row name that pod from now on (the
                // ends of its sessions kept naming the old one, and report booked them there)
                applier.record(slot, new Transition(slot.state.withPod(now.pod()), List.of()), null);
            }
        }
        Map<String, ProfileState> stored = null;
        int order = slots.values().stream().mapToInt(s -> s.order + 1).max().orElse(0);
        for (String id : plan.added()) {
            ProfileConfig p = wanted.get(id);
            ProfileSlot back = slots.get(id);
            if (back != null) {
                back.removed = false;
                back.config = p;
                continue;
            }
            stored = stored != null ? stored : store.loadProfiles();
            ProfileState state = stored.getOrDefault(p.id(), ProfileState.fresh(p.id(), p.pod()));
            slots.put(p.id(), new ProfileSlot(p, order++, state.pod().equals(p.pod()) ? state : state.withPod(p.pod()),
                    nowNanos));
        }
        inFileOrder(wanted.keySet());
        FleetOrder.interleavePods(slots.values());
        running = next;
        diagnostics.accept("reloaded " + next.source() + ": " + plan.added().size() + " profile(s) added, "
                + plan.removed().size() + " removed, " + plan.changed().size() + " changed"
                + (plan.applied().isEmpty() ? "" : "; applied " + String.join(", ", plan.applied()))
                + (plan.restartNeeded()
                ? "; " + String.join(", ", plan.restartNeededFor()) + " take(s) effect after a restart" : ""));
    }

    private static Map<String, ProfileConfig> wanted(RunnerConfig next) {
        Map<String, ProfileConfig> wanted = new LinkedHashMap<>();
        next.profiles().forEach(p -> wanted.put(p.id(), p));
        return wanted;
    }

    /**
     * The slots in the new file's order, those removed but still stopping after them: what the API
     * and the dashboard list follows it (a profile moved to a later pod, or added in the middle,
     * kept its old place or went to the end, and {@code /api/summary} listed a pod before one the
     * file has first: reviewer R10). Starts do not follow this order ({@link ProfileSlot#order}).
     */
    private void inFileOrder(java.util.Collection<String> ids) {
        Map<String, ProfileSlot> before = new LinkedHashMap<>(slots);
        slots.clear();
        for (String id : ids) {
            ProfileSlot slot = before.remove(id);
            if (slot != null) {
                slots.put(id, slot);
            }
        }
        slots.putAll(before);
    }

    private void remove(ProfileSlot slot) {
        slot.removed = true;
        slot.runNowBy = null;
        recovery.cancel(slot.id());
        recovery.forget(slot.id());
        if (slot.active != null) {
            stopRemoved.accept(slot);
        } else if (slot.spawning == null) {
            drop.accept(slot);
        }
    }
}
