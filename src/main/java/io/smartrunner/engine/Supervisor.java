package io.smartrunner.engine;

import io.smartrunner.admission.AdmissionGate;
import io.smartrunner.admission.AdmissionView;
import io.smartrunner.breaker.PodStatus;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The runner's engine: one loop thread owns every profile's state and performs the effects the
 * pure rules decide (launch, stop, write event, persist), through its parts: {@link SessionLifecycle}
 * (a session from start to end), {@link SessionTimers}, {@link RecoveryCoordinator},
 * {@link PauseKeeper}, {@link ManualControls}, {@link FleetReload}, {@link LeftoverSweep},
 * {@link StartPass} (who starts now), {@link DurableWrites} and {@link WakePlanner}.
 * Process exits and stop completions arrive as messages; timers are deadlines on the monotonic
 * clock. Each step first makes its decisions durable (events, then state) and only then starts
 * new sessions, so a decision is never acted on before it is in the event log.
 */
public final class Supervisor {
    private final SupervisorDeps deps;
    private final FleetStartup startup;
    private final Map<String, ProfileSlot> slots = new LinkedHashMap<>();
    private final LoopInbox inbox = new LoopInbox();
    private final PendingWrites pending;
    private final LeftoverSweep leftovers;
    private final SessionTimers timers;
    private final SessionLifecycle sessions;
    private final HealthReporter health;
    private final DurableWrites writes;
    private final RecoveryCoordinator recovery;
    /** The only code that changes a profile's state (and carries out what the change implies). */
    private final TransitionApplier applier;
    private final PauseKeeper pauses;
    private final LoopGuard guard;
    private final StartPass starts;
    /** Holds new sessions and recovery episodes while the host is short of memory or over its load limit. */
    private final AdmissionGate admission;
    /** Whom failures are blamed on per pod: breakers, probes, the pause cap (DESIGN §2b). */
    private final PodBreakers breakers;
    private final PodHolds holds;
    private final MessageRouter router;
    private final WakePlanner wake;
    private volatile boolean stopRequested;
    private boolean stopInitiated;
    /** For health checks (other threads): when the loop last turned, and whether start-up is done. */
    private volatile long lastTurnNanos;
    private volatile boolean started;

    public Supervisor(RunnerConfig config, SupervisorDeps deps) {
        this.deps = deps;
        ProfileRules rules = new ProfileRules(PausePolicy.from(config.recovery()), deps.random()::nextDouble);
        this.startup = new FleetStartup(config, deps, rules);
        Redactor redactor = new Redactor(config.secretValues());
        this.pending = new PendingWrites(redactor);
        this.health = new HealthReporter(deps.diagnostics());
        this.writes = new DurableWrites(pending, deps, health, this::launchStaged);
        this.recovery = new RecoveryCoordinator(config.recovery(), deps.recoveryActions(), rules, pending, inbox::add,
                this::recordRecovered, deps.store(), deps.random(), deps.diagnostics());
        this.applier = new TransitionApplier(pending, recovery, this::stopSession, deps.browsers(), deps.spawner(),
                config.browser().closeOnPause(), () -> stopRequested);
        this.pauses = new PauseKeeper(rules, applier);
        this.leftovers = new LeftoverSweep(deps.processTable(), deps.diagnostics());
        // breaker settings are read at start (a reload says a change needs a restart)
        this.breakers = new PodBreakers(config::breakerOf, slots, rules, applier, pending);
        this.holds = new PodHolds(pending);
        this.sessions = new SessionLifecycle(slots, rules, pending, applier,
                new SessionLaunch(deps, config.browser().recycle()), redactor, inbox::add, leftovers, this::drop,
                () -> stopInitiated, breakers, holds);
        ManualControls manual = new ManualControls(slots, rules, pending, applier, recovery, () -> writes.flush(true),
                health::problem);
        this.timers = new SessionTimers(sessions::stop);
        FleetReload fleetReload = new FleetReload(config, slots, recovery, deps.store(),
                slot -> sessions.stop(slot, FailureReason.SHUTDOWN, SessionLifecycle.REMOVED), this::drop,
                deps.diagnostics());
        deps.browsers().listen(event -> inbox.add(new Message.Browser(event))); // logged by the loop only
        this.guard = new LoopGuard(slots, pending, applier, redactor, deps.diagnostics(), deps.time(), inbox::add,
                recovery::cancel);
        this.admission = new AdmissionGate(deps.hostPressure(), config.runner().minFreeMemoryMb(),
                config.runner().maxLoadPerCore());
        this.starts = new StartPass(config, slots, recovery, sessions, guard, admission, pending, breakers, holds);
        this.router = new MessageRouter(slots, sessions, recovery, manual, fleetReload, starts, guard, pending,
                new PodControls(breakers, holds, fleetReload, writes));
        this.wake = new WakePlanner(slots, deps.time(), writes, starts, admission, breakers, recovery, leftovers,
                () -> stopRequested);
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

    /**
     * {@link #start()} then {@link #loop()}.
     *
     * @return false when decisions could not be made durable before exiting (the event log is unwritable)
     */
    public boolean run() {
        start();
        return loop();
    }

    /**
     * Runs the loop on the calling thread until {@link #requestStop()} and every session has
     * ended, then makes the last decisions durable. Call {@link #start()} first.
     *
     * @return false when decisions could not be made durable before exiting (the event log or store is unwritable)
     */
    public boolean loop() {
        while (!finished()) {
            awaitWork();
            step();
        }
        if (!writes.flush(true)) {
            deps.diagnostics().accept("exiting with " + pending.eventCount() + " event(s) and "
                    + pending.stateRowCount() + " state row(s) not written, because: " + health.problem());
            return false;
        }
        return true;
    }

    /** Asks the loop to stop scheduling, stop every session's tree, flush and return. Thread-safe. */
    public void requestStop() {
        stopRequested = true;
        inbox.add(new Message.Wake());
    }

    /**
     * Loads state, closes what a previous runner left running and applies start jitter
     * ({@link FleetStartup}). The runner calls it before it binds its HTTP port: leftovers of a
     * crashed runner may hold that port until they are stopped.
     */
    public void start() {
        startup.run(slots, pending, applier, recovery);
        writes.flush(false);
        lastTurnNanos = deps.time().nanoTime();
        started = true;
    }

    /**
     * One iteration: handle what arrived, check timers, make decisions durable, then start sessions.
     * Each message and each profile's share of the work fails alone ({@link LoopGuard}).
     */
    void step() {
        long nowNanos = deps.time().nanoTime();
        lastTurnNanos = nowNanos;
        Instant now = deps.time().now();
        handleMessages(nowNanos, now);
        if (stopRequested && !stopInitiated) {
            stopInitiated = true;
            guard.eachProfile("shutdown", sessions::stopForShutdown);
            recovery.cancelAll();
        }
        guard.eachProfile("timers", slot -> timers.check(slot, nowNanos));
        if (!stopRequested) {
            if (!starts.admissionHolds(recovery.hasQueued(), nowNanos, now)) { // a ladder step may open a browser
                recovery.admit(nowNanos);
            }
            recovery.profilesInRecovery().forEach(id -> guard.run("recovery", id, null, null,
                    () -> recovery.tick(id, nowNanos, now)));
        }
        guard.eachProfile("pauses", slot -> pauses.expire(slot, now, nowNanos));
        guard.run("leftovers", null, null, null, () -> leftovers.sweep(nowNanos));
        if (writes.flush(false) && !stopRequested) {
            starts.startEligible(nowNanos, now);
            writes.flush(false); // the start events are in the log: now the launches are handed over
            handleMessages(nowNanos, now); // launches (and exits) that completed meanwhile
            writes.flush(false);
        } else if (stopRequested) {
            sessions.abandonStagedLaunches(nowNanos, now);
        }
    }

    private void handleMessages(long nowNanos, Instant now) {
        router.route(inbox.drain(), nowNanos, now);
    }

    private boolean finished() {
        return stopRequested && stopInitiated && recovery.idle()
                && slots.values().stream().allMatch(s -> s.active == null && s.spawning == null);
    }

    private void awaitWork() {
        long now = deps.time().nanoTime();
        long wait = Math.max(0, nextWakeNanos(now) - now);
        try {
            inbox.await(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop();
        }
    }

    /** Every configured profile's state as the loop sees it, answered by the loop. Thread-safe. */
    public CompletableFuture<List<ProfileState>> profiles() {
        return inbox.ask(Message.Snapshot::new);
    }

    /** Every configured pod's breaker and pauses as the loop sees them, answered by the loop. Thread-safe. */
    public CompletableFuture<List<PodStatus>> pods() {
        return inbox.ask(Message.PodSnapshot::new);
    }

    /**
     * Lets a held pod start sessions again (an unpause of the pod by hand); answered with whether it
     * was held, once its event is written (or tried: a pod is released even when the log is failing). Thread-safe.
     */
    public CompletableFuture<Boolean> unpausePod(String pod, String by) {
        return inbox.ask(reply -> new Message.PodUnpause(pod, by, reply));
    }

    /** Asks the loop to apply a new, validated configuration; answered once applied. Thread-safe. */
    public CompletableFuture<ReloadSummary> requestReload(RunnerConfig next) {
        return inbox.ask(reply -> new Message.Reload(next, reply));
    }

    private void drop(ProfileSlot slot) {
        slots.remove(slot.id());
        ProfileConfig profile = slot.config;
        deps.spawner().execute(() -> deps.browsers().forceStop(profile,
                io.smartrunner.browser.BrowserCause.of(null, "profile removed")));
    }

    /**
     * Asks the loop to carry out an operator's request; answered once its event is in the log, or
     * with {@link ManualReply.Outcome#UNAVAILABLE} (and nothing changed) when it cannot be written. Thread-safe.
     */
    public CompletableFuture<ManualReply> request(ManualRequest request) {
        return inbox.ask(reply -> new Message.Manual(request, reply));
    }

    /** When the loop must look again if no message comes first ({@link WakePlanner}). */
    long nextWakeNanos(long now) {
        return wake.nextWakeNanos(now);
    }

    /** Why sessions are not being started right now, or null when all is well. */
    public String problem() {
        return health.problem();
    }

    /** Admission control as other threads see it (held or not, why, how many starts waited). Thread-safe. */
    public AdmissionView admission() {
        return admission;
    }

    /** True once start-up (state loaded, crash reconciled) is done. Thread-safe. */
    public boolean started() {
        return started;
    }

    /** The monotonic time (deps' TimeSource) of the loop's last turn. Thread-safe. */
    public long lastTurnNanos() {
        return lastTurnNanos;
    }
}
