package io.smartrunner.engine;

import io.smartrunner.admission.AdmissionGate;
import io.smartrunner.admission.SpawnShortage;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.Transition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The engine's composition root: builds the {@link Supervisor}'s parts once, each given only
 * what it needs, in the order their dependencies allow (the few cycles — the applier stops
 * sessions, the sessions apply transitions — go through method references). Loop thread only.
 */
final class EngineParts {
    final Map<String, ProfileSlot> slots = new LinkedHashMap<>();
    /** The profiles that may start, in start order; the cooldowns and pauses that end next. */
    final StartQueue queue = new StartQueue(slots);
    final LoopInbox inbox = new LoopInbox();
    /** The slots' states as other threads read them; published again whenever a slot is added or dropped. */
    final ProfileBoard board = new ProfileBoard();
    final FleetStartup startup;
    final PendingWrites pending;
    final HealthReporter health;
    final DurableWrites writes;
    final RecoveryCoordinator recovery;
    /** The only code that changes a profile's state (and carries out what the change implies). */
    final TransitionApplier applier;
    final PauseKeeper pauses;
    final LeftoverSweep leftovers;
    final SessionLifecycle sessions;
    final SessionTimers timers;
    final LoopGuard guard;
    /** Holds new sessions and recovery episodes while the host is short of memory or over its load limit. */
    final AdmissionGate admission;
    final StartPass starts;
    final PodBreakers breakers;
    /** Pods held by an exit code mapped to {@code config}. */
    final PodHolds holds;
    final RotationFailures rotations;
    final MessageRouter router;
    final WakePlanner wake;
    final io.smartrunner.cluster.ProfileLeases leases;
    final LeaseDuty leaseDuty;
    /** {@code runOn}: profiles pinned to labels this runner lacks never start here. */
    final PlacementRule placement;
    final BrowsersOnExit browsersOnExit;
    private final SupervisorDeps deps;

    EngineParts(RunnerConfig config, SupervisorDeps deps, io.smartrunner.cluster.ProfileLeases leases,
                BooleanSupplier stopRequested, BooleanSupplier stopInitiated) {
        this.deps = deps;
        this.leases = leases;
        ProfileRules rules = new ProfileRules(PausePolicy.from(config.recovery()), deps.random()::nextDouble);
        this.startup = new FleetStartup(config, deps, rules, leases.clustered());
        Redactor redactor = new Redactor(config.secretValues());
        this.pending = new PendingWrites(redactor);
        this.health = new HealthReporter(deps.diagnostics());
        this.writes = new DurableWrites(pending, deps, health, this::launchStaged);
        this.recovery = new RecoveryCoordinator(config.recovery(), deps.recoveryActions(), rules, pending, inbox::add,
                this::recordRecovered, deps.store(), deps.random(), deps.diagnostics());
        this.applier = new TransitionApplier(pending, recovery, this::stopSession, deps.browsers(), deps.browserWork(),
                config.browser().closeOnPause(), stopRequested, queue, deps.diagnostics());
        this.pauses = new PauseKeeper(rules, applier, queue);
        this.leftovers = new LeftoverSweep(deps.processTable(), deps.diagnostics());
        // whom failures are blamed on per pod (DESIGN §2b); breaker settings are read at start (a reload
        // says a change needs a restart)
        PodBreakers breakers = new PodBreakers(config::breakerOf, slots, board, rules, applier, pending,
                recovery::forgiven);
        this.breakers = breakers;
        PodHolds holds = new PodHolds(pending);
        this.holds = holds;
        RotationFailures rotations = new RotationFailures(deps.diagnostics());
        this.rotations = rotations;
        SpawnShortage spawns = new SpawnShortage();
        this.timers = new SessionTimers(this::stopSession, rotations); // SessionLifecycle arms each session's timers
        this.sessions = new SessionLifecycle(slots, rules, pending, applier,
                new SessionLaunch(deps, config.browser().recycle(), inbox), redactor, inbox::add, leftovers, this::drop,
                stopInitiated, breakers, holds, this::mayStart, timers::armed, rotations, spawns, recovery);
        ManualControls manual = new ManualControls(slots, rules, pending, applier, recovery, () -> writes.flush(true),
                health::problem, queue::track, stopRequested);
        FleetReload fleetReload = new FleetReload(config, slots, recovery, deps.store(), applier,
                slot -> sessions.stop(slot, FailureReason.SHUTDOWN, SessionLifecycle.REMOVED), this::drop,
                deps.diagnostics());
        deps.browsers().listen(event -> inbox.add(new Message.Browser(event))); // logged by the loop only
        this.browsersOnExit = new BrowsersOnExit(config.browser().closeOnExit(), deps.browsers(),
                BrowsersOnExit.PARALLEL_CLOSES,
                () -> inbox.add(new Message.Wake()), deps.diagnostics());
        this.guard = new LoopGuard(slots, pending, applier, redactor, deps.diagnostics(), deps.time(), inbox::add,
                recovery::cancel);
        this.admission = new AdmissionGate(deps.hostPressure(), config.runner().minFreeMemoryMb(),
                config.runner().maxLoadPerCore(), spawns);
        this.starts = new StartPass(config, slots, recovery, sessions, guard, admission, pending, breakers, holds,
                this::mayStart, new PodSlotDuty(leases, slots), queue, deps.diagnostics());
        this.placement = new PlacementRule(config.runner().labels(), deps.diagnostics());
        this.leaseDuty = new LeaseDuty(leases, slots, rules, applier, pending, recovery, sessions, writes,
                deps.diagnostics(), placement, deps.endedInLog(), deps.store().processIdentity());
        PodControls podControls = new PodControls(breakers, holds, fleetReload, writes, starts);
        ConfigReload reload = new ConfigReload(fleetReload, pending, () -> writes.flush(true), health::problem,
                podControls, starts, leaseDuty, board, slots);
        this.router = new MessageRouter(slots, sessions, recovery, manual, reload, starts, guard, pending,
                podControls, board, leaseDuty, timers);
        this.wake = new WakePlanner(queue, timers, deps.time(), writes, starts, admission, breakers, recovery, leftovers,
                stopRequested);
    }

    /**
     * Cluster mode: the lease is held (and renewed in time), the keeper does not want it back, and
     * the controls queued for it have been read since it was taken on; any mode: the profile's
     * runOn fits this runner's labels.
     */
    private boolean mayStart(String profileId) {
        return leases.mayRun(profileId) && !leaseDuty.releasing(profileId) && leases.queuedControlsRead(profileId)
                && placement.fits(profileId);
    }

    private void launchStaged() {
        sessions.launchStaged();
    }

    private void recordRecovered(ProfileSlot slot, Transition t) {
        applier.record(slot, t, null);
    }

    private void stopSession(ProfileSlot slot, FailureReason reason, String detail) {
        sessions.stop(slot, reason, detail);
    }

    /** Forgets a removed profile once nothing of it runs, and stops its browser off the loop. */
    private void drop(ProfileSlot slot) {
        slots.remove(slot.id());
        queue.forget(slot);
        board.publish(slots.values());
        ProfileConfig profile = slot.config;
        deps.browserWork().execute(() -> deps.browsers().forceStop(profile,
                io.smartrunner.browser.BrowserCause.of(null, "profile removed")));
    }
}
