package io.smartrunner.engine;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import io.smartrunner.session.SessionScheduler;
import io.smartrunner.session.SessionScheduler.Candidate;
import io.smartrunner.store.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The runner's engine: one loop thread owns every profile's state and performs the effects the
 * pure rules decide (launch, stop, write event, persist), through its parts: {@link SessionLifecycle}
 * (a session from start to end), {@link SessionTimers}, {@link RecoveryCoordinator},
 * {@link PauseKeeper}, {@link ManualControls}, {@link FleetReload} and {@link LeftoverSweep}.
 * Process exits and stop completions arrive as messages; timers are deadlines on the monotonic
 * clock. Each step first makes its decisions durable (events, then state) and only then starts
 * new sessions, so a decision is never acted on before it is in the event log.
 */
public final class Supervisor {
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final SupervisorDeps deps;
    private RunnerConfig config;
    private final ProfileRules rules;
    private SessionScheduler scheduler;
    private final Map<String, ProfileSlot> slots = new LinkedHashMap<>();
    private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    private final PendingWrites pending;
    private final LeftoverSweep leftovers;
    private final SessionTimers timers;
    private final SessionLifecycle sessions;
    private final HealthReporter health;
    private final WriteBackoff backoff = new WriteBackoff();
    private final RecoveryCoordinator recovery;
    /** The only code that changes a profile's state (and carries out what the change implies). */
    private final TransitionApplier applier;
    private final PauseKeeper pauses;
    private final ManualControls manual;
    private final FleetReload fleetReload;
    private final LoopGuard guard;
    /** Whom failures are blamed on per pod: breakers, probes, the pause cap (DESIGN §2b). */
    private final PodBreakers breakers;
    private final PodHolds holds;
    private Message carried;
    private volatile boolean stopRequested;
    private boolean stopInitiated;
    /** For health checks (other threads): when the loop last turned, and whether start-up is done. */
    private volatile long lastTurnNanos;
    private volatile boolean started;

    public Supervisor(RunnerConfig config, SupervisorDeps deps) {
        this.config = config;
        this.deps = deps;
        this.rules = new ProfileRules(PausePolicy.from(config.recovery()));
        this.scheduler = schedulerFor(config);
        Redactor redactor = new Redactor(config.secretValues());
        this.pending = new PendingWrites(redactor);
        this.health = new HealthReporter(deps.diagnostics());
        this.recovery = new RecoveryCoordinator(config.recovery(), deps.recoveryActions(), rules, pending, inbox::add,
                this::record);
        this.applier = new TransitionApplier(pending, recovery, this::stopSession, deps.browsers(), deps.spawner(),
                config.browser().closeOnPause(), () -> stopRequested);
        this.pauses = new PauseKeeper(rules, applier);
        this.leftovers = new LeftoverSweep(deps.processTable(), deps.diagnostics());
        this.breakers = new PodBreakers(pod -> this.config.breakerOf(pod), slots, rules, applier, pending);
        this.holds = new PodHolds(pending);
        this.sessions = new SessionLifecycle(slots, rules, pending, applier, new SessionLaunch(deps), redactor,
                inbox::add, leftovers, this::drop, () -> stopInitiated, breakers, holds);
        this.manual = new ManualControls(slots, rules, pending, applier, recovery, () -> flush(true), health::problem);
        this.timers = new SessionTimers(sessions::stop);
        this.fleetReload = new FleetReload(slots, recovery, deps.store(),
                slot -> sessions.stop(slot, FailureReason.SHUTDOWN, SessionLifecycle.REMOVED), this::drop);
        this.guard = new LoopGuard(slots, pending, applier, redactor, deps.diagnostics(), deps.time(), inbox::add,
                recovery::cancel);
    }

    private void record(ProfileSlot slot, Transition t) {
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
        if (!flush(true)) {
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
     * Loads state, closes what a previous runner left running (stops its processes, ends its
     * sessions as lost) and applies start jitter. The runner calls it before it binds its HTTP
     * port: leftovers of a crashed runner may hold that port until they are stopped.
     */
    public void start() {
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
        Instant wall = deps.time().now();
        new CrashReconciler(deps, rules, config.session().stopGraceMs(), browsersToAdopt())
                .reconcile(slots, stored, pending, applier, wall);
        // An episode interrupted by a stop or crash starts again from step 1: nothing is persisted
        // mid-ladder, and needsRecovery (persisted) is what says a profile still needs it.
        for (ProfileSlot slot : slots.values()) {
            if (slot.state.needsRecovery() && !slot.state.paused() && slot.state.lastSessionId() != null) {
                recovery.begin(slot, slot.state.lastSessionId(), wall, now);
            }
        }
        flush();
        lastTurnNanos = deps.time().nanoTime();
        started = true;
    }

    /**
     * Profiles whose browser a previous runner left running on purpose (chromium, closeOnExit
     * false) and the provider will adopt: configured ones, unless paused with closeOnPause.
     */
    private Set<String> browsersToAdopt() {
        BrowserSettings b = config.browser();
        if (b.provider() != BrowserSettings.Provider.CHROMIUM || b.closeOnExit()) {
            return Set.of();
        }
        return slots.values().stream().filter(s -> !(s.state.paused() && b.closeOnPause()))
                .map(ProfileSlot::id).collect(Collectors.toSet());
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
            guard.eachProfile("shutdown", s -> {
                if (s.active != null) {
                    sessions.stop(s, FailureReason.SHUTDOWN, SessionLifecycle.SHUTTING_DOWN);
                }
            });
            recovery.cancelAll();
        }
        guard.eachProfile("timers", slot -> timers.check(slot, nowNanos));
        if (!stopRequested) {
            recovery.admit(nowNanos);
            recovery.profilesInRecovery().forEach(id -> guard.run("recovery", id, null, null,
                    () -> recovery.tick(id, nowNanos, now)));
        }
        guard.eachProfile("pauses", slot -> pauses.expire(slot, now, nowNanos));
        guard.run("leftovers", null, null, null, () -> leftovers.sweep(nowNanos));
        if (flush() && !stopRequested) {
            startEligible(nowNanos, now);
            flush(); // the start events are in the log: now the launches are handed over
            handleMessages(nowNanos, now); // launches (and exits) that completed meanwhile
            flush();
        } else if (stopRequested) {
            sessions.abandonStagedLaunches(nowNanos, now);
        }
    }

    private void handleMessages(long nowNanos, Instant now) {
        List<Message> messages = new ArrayList<>();
        if (carried != null) {
            messages.add(carried);
            carried = null;
        }
        inbox.drainTo(messages);
        messages.forEach(m -> guard.message(m, x -> handle(x, nowNanos, now)));
    }

    private boolean finished() {
        return stopRequested && stopInitiated && recovery.idle()
                && slots.values().stream().allMatch(s -> s.active == null && s.spawning == null);
    }

    private void awaitWork() {
        long now = deps.time().nanoTime();
        long wait = Math.max(0, nextWakeNanos(now) - now);
        try {
            carried = inbox.poll(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop();
        }
    }

    private void handle(Message m, long nowNanos, Instant now) {
        if (m instanceof Message.Launched l) {
            sessions.launched(l, nowNanos, now);
        } else if (m instanceof Message.StepDone d) {
            recovery.onResult(d, nowNanos, now);
        } else if (m instanceof Message.Manual h) {
            // answered only after the flush that writes its event (ManualControls)
            h.reply().complete(manual.handle(h.request(), nowNanos, now));
        } else if (m instanceof Message.Reload r) {
            r.reply().complete(reload(r.config(), nowNanos));
        } else if (m instanceof Message.PodUnpause u) {
            boolean wasHeld = holds.release(u.pod(), now, u.by());
            flush(true);
            u.reply().complete(wasHeld);
        } else if (m instanceof Message.PodSnapshot q) {
            q.reply().complete(breakers.view(config.pods().stream().map(p -> p.name()).toList(), holds));
        } else if (m instanceof Message.Snapshot q) {
            q.reply().complete(slots.values().stream().map(slot -> slot.state).toList());
        } else if (m instanceof Message.Exited e) {
            sessions.exited(e, nowNanos, now);
        } else if (m instanceof Message.Stopped s) {
            sessions.stopped(s, nowNanos, now);
        }
    }

    /** Every configured profile's state as the loop sees it, answered by the loop. Thread-safe. */
    public CompletableFuture<List<ProfileState>> profiles() {
        CompletableFuture<List<ProfileState>> reply = new CompletableFuture<>();
        inbox.add(new Message.Snapshot(reply));
        return reply;
    }

    /** Every configured pod's breaker and pauses as the loop sees them, answered by the loop. Thread-safe. */
    public CompletableFuture<List<PodStatus>> pods() {
        CompletableFuture<List<PodStatus>> reply = new CompletableFuture<>();
        inbox.add(new Message.PodSnapshot(reply));
        return reply;
    }

    /**
     * Lets a held pod start sessions again (an unpause of the pod by hand); answered with whether it
     * was held, once its event is written (or tried: a pod is released even when the log is failing). Thread-safe.
     */
    public CompletableFuture<Boolean> unpausePod(String pod, String by) {
        CompletableFuture<Boolean> reply = new CompletableFuture<>();
        inbox.add(new Message.PodUnpause(pod, by, reply));
        return reply;
    }

    /** Asks the loop to apply a new, validated configuration; answered once applied. Thread-safe. */
    public CompletableFuture<ReloadSummary> requestReload(RunnerConfig next) {
        CompletableFuture<ReloadSummary> reply = new CompletableFuture<>();
        inbox.add(new Message.Reload(next, reply));
        return reply;
    }

    /** Applies a reload (see {@link FleetReload}) and says what it changed. */
    private ReloadSummary reload(RunnerConfig next, long nowNanos) {
        ReloadSummary summary = fleetReload.apply(config, next, nowNanos);
        holds.releaseAll(deps.time().now(), "reload"); // the configuration may be fixed: held pods start again
        config = next;
        scheduler = schedulerFor(next);
        deps.diagnostics().accept("reloaded " + next.source() + ": " + summary.added().size() + " profile(s) added, "
                + summary.removed().size() + " removed, " + summary.changed().size() + " changed"
                + (summary.restartNeeded()
                ? "; changes to the runner, recovery, browser, http, alerts or breaker blocks take effect after a restart" : ""));
        return summary;
    }

    private void drop(ProfileSlot slot) {
        slots.remove(slot.id());
        ProfileConfig profile = slot.config;
        deps.spawner().execute(() -> deps.browsers().forceStop(profile));
    }

    private static SessionScheduler schedulerFor(RunnerConfig config) {
        Map<String, Integer> podLimits = new HashMap<>();
        config.pods().forEach(p -> podLimits.put(p.name(), p.concurrency()));
        return new SessionScheduler(config.runner().globalConcurrency(), podLimits);
    }

    /**
     * Asks the loop to carry out an operator's request; answered once its event is in the log, or
     * with {@link ManualReply.Outcome#UNAVAILABLE} (and nothing changed) when it cannot be written. Thread-safe.
     */
    public CompletableFuture<ManualReply> request(ManualRequest request) {
        CompletableFuture<ManualReply> reply = new CompletableFuture<>();
        inbox.add(new Message.Manual(request, reply));
        return reply;
    }

    private void startEligible(long nowNanos, Instant now) {
        Map<String, Integer> runningByPod = new HashMap<>();
        List<Candidate> candidates = candidates(nowNanos, runningByPod);
        for (Candidate c : candidates.isEmpty() ? List.<Candidate>of() : scheduler.pick(candidates, runningByPod)) {
            ProfileSlot slot = slots.get(c.profileId());
            if (breakers.mayStart(slot, nowNanos)) { // an open breaker's one probe may have been picked already
                guard.run("start", c.profileId(), null, null, () -> {
                    sessions.stage(slot, now);
                    breakers.starting(slot, slot.spawning, nowNanos);
                });
            }
        }
    }

    /** The profiles eligible to start now; fills {@code runningByPod} with the sessions running per pod. */
    private List<Candidate> candidates(long nowNanos, Map<String, Integer> runningByPod) {
        List<Candidate> candidates = new ArrayList<>();
        for (ProfileSlot slot : slots.values()) {
            if (slot.active != null || slot.spawning != null) {
                runningByPod.merge(slot.pod(), 1, Integer::sum);
            } else if (!slot.removed && ProfileRules.eligible(slot.state, nowNanos - slot.notBeforeNanos >= 0)
                    && !recovery.inRecovery(slot.id()) && !holds.held(slot.pod()) && breakers.mayStart(slot, nowNanos)) {
                // run now goes first in line: as if it had never run
                candidates.add(new Candidate(slot.id(), slot.pod(), slot.runNowBy != null ? null : slot.state.lastStartedAt(),
                        slot.order));
            }
        }
        return candidates;
    }

    private boolean flush() {
        return flush(false);
    }

    /**
     * Makes pending decisions durable; false while the event log or store cannot be written.
     * After a failure, tries again only when the {@link WriteBackoff} says so, unless {@code force}.
     */
    private boolean flush(boolean force) {
        long nowNanos = deps.time().nanoTime();
        if (pending.isEmpty() && backoff.failing()) {
            return true; // nothing to write proves nothing: the episode ends with the next real write
        }
        if (!force && !backoff.due(nowNanos)) {
            return false;
        }
        try {
            List<EventRecord> written = pending.flush(deps.eventSink(), deps.store());
            backoff.succeeded();
            health.recovered();
            sessions.launchStaged();
            if (!written.isEmpty()) {
                deps.listener().accept(written);
            }
            return true;
        } catch (EventLogException | StoreException e) {
            backoff.failed(nowNanos);
            health.failing(e.getMessage());
            return false;
        }
    }

    /** When the loop must look again if no message comes first. */
    long nextWakeNanos(long now) {
        Map<String, Integer> runningByPod = new HashMap<>();
        long next = now + MAX_WAIT_NANOS;
        if (backoff.failing()) {
            next = earlier(next, backoff.retryAtNanos()); // nothing starts before the next write succeeds
        } else if (!stopRequested && scheduler.wouldStartAny(candidates(now, runningByPod), runningByPod)) {
            return now; // a session ended after this step's start pass: its slot goes to the next profile now
        }
        Instant wall = deps.time().now();
        for (ProfileSlot slot : slots.values()) {
            ActiveSession a = slot.active;
            if (a != null) {
                if (a.stopping == null) {
                    next = earlier(next, earlier(a.deadlineNanos, a.nextPollNanos));
                }
            } else if (slot.state.paused() && slot.state.pausedUntil() != null) {
                long untilNanos = Duration.between(wall, slot.state.pausedUntil()).toNanos();
                next = earlier(next, now + Math.max(0, untilNanos));
            } else if (!stopRequested && slot.spawning == null && slot.notBeforeNanos - now > 0) {
                // a cooldown or start jitter that ends later; a profile that could start now but
                // waits for a free slot wakes nobody (the check above finds it once a slot is free)
                next = earlier(next, slot.notBeforeNanos);
            }
        }
        return recovery.nextDeadline(leftovers.deadline(stopRequested ? next : breakers.nextProbe(now, next)));
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /** Why sessions are not being started right now, or null when all is well. */
    public String problem() {
        return health.problem();
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
