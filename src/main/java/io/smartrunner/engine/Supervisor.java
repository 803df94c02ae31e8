package io.smartrunner.engine;

import io.smartrunner.admission.AdmissionView;
import io.smartrunner.breaker.PodStatus;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.RecallsRecentEvents;
import io.smartrunner.profile.ProfileState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The runner's engine: one loop thread owns every profile's state and performs the effects the
 * pure rules decide (launch, stop, write event, persist), through its parts: {@link SessionLifecycle}
 * (a session from start to end), {@link SessionTimers}, {@link RecoveryCoordinator},
 * {@link PauseKeeper}, {@link ManualControls}, {@link FleetReload}, {@link LeftoverSweep},
 * {@link StartPass} (who starts now), {@link DurableWrites} and {@link WakePlanner}, wired by
 * {@link EngineParts}.
 * Process exits and stop completions arrive as messages; timers are deadlines on the monotonic
 * clock. Each step writes its decisions and the starts it decides (events, then state) in one write
 * before any of those sessions is launched, so a decision is never acted on before it is in the
 * event log; while writes fail, nothing starts.
 */
public final class Supervisor {
    private final SupervisorDeps deps;
    private final EngineParts parts;
    private volatile boolean stopRequested;
    /** At most this many of the log's newest events give the breakers back their windows at start-up. */
    private static final int RECENT_ENDS_READ = 10_000;
    /** The longest start-up lookback: what the breakers read back (docs/failure-classes.md) is bounded so. */
    private static final Duration RECALL_AT_MOST = Duration.ofMinutes(15);
    /** The fleet failure-rate alert's window: the start-up read covers it too, for the alerts' recall. */
    private final Duration alertWindow;
    private boolean stopInitiated;
    /** For health checks (other threads): when the loop last turned, and whether start-up is done. */
    private volatile long lastTurnNanos;
    private volatile boolean started;
    /** The run's own first and last events ({@link #announceRun}); null: not written (the loop's own tests). */
    private EventRecord.RunnerStarted runStart;
    private long runStartNanos;
    private boolean stopWritten;
    private int sessionsStopped;

    public Supervisor(RunnerConfig config, SupervisorDeps deps) {
        this(config, deps, io.smartrunner.cluster.ProfileLeases.single());
    }

    /** @param leases which profiles this runner may run ({@link io.smartrunner.cluster.ProfileLeases#single()}: all) */
    public Supervisor(RunnerConfig config, SupervisorDeps deps, io.smartrunner.cluster.ProfileLeases leases) {
        this.deps = deps;
        this.parts = new EngineParts(config, deps, leases, () -> stopRequested, () -> stopInitiated);
        this.alertWindow = config.alerts().enabled() ? Duration.ofMillis(config.alerts().failureRate().windowMs())
                : Duration.ZERO;
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
        handleMessages(deps.time().nanoTime(), deps.time().now()); // the last browser closes' events
        parts.rotations.sayHeldBack(); // reviewer R11: a minute's held-back count was never said when the run ended
        parts.holds.releaseAll(deps.time().now(), PodHolds.BY_STOP); // a hold ends with its run: said before it ends
        if (runStart != null) {
            parts.pending.add(List.of(Events.runnerStopped(deps.time().now(), runStart.params().value(EventParams.PID),
                    TimeUnit.NANOSECONDS.toMillis(deps.time().nanoTime() - runStartNanos), sessionsStopped)), null, null);
        }
        parts.pending.lateRowsDueNow(deps.time().nanoTime());
        boolean written = parts.writes.flush(true);
        stopWritten = runStart != null && parts.pending.eventCount() == 0;
        if (!written) {
            deps.diagnostics().accept("exiting with " + parts.pending.eventCount() + " event(s) and "
                    + parts.pending.stateRowCount() + " state row(s) not written, because: " + parts.health.problem());
            return false;
        }
        return true;
    }

    /**
     * After {@link #loop()}: whether the run's {@code runner-stop} is in the event log, though state
     * rows may not be (a stop while PostgreSQL is away writes the log and not the rows: the next
     * start called such a stop "killed, crashed, or its log unwritable", reviewer R18).
     */
    public boolean stopWritten() {
        return stopWritten;
    }

    /**
     * Makes the run say itself in the log: a {@code runner-start} before anything {@link #start()}
     * writes, a {@code runner-stop} after the last session's end when {@link #loop()} returns.
     * Call before {@link #start()}.
     *
     * @param previous the data dir's previous run as on record (null: none)
     */
    public void announceRun(long pid, int profiles, int pods, Events.PreviousRun previous) {
        runStart = Events.runnerStarted(deps.time().now(), pid, profiles, pods, previous,
                io.smartrunner.BuildInfo.version());
    }

    /** Asks the loop to stop scheduling, stop every session's tree, flush and return. Thread-safe. */
    public void requestStop() {
        stopRequested = true;
        parts.inbox.add(new Message.Wake());
    }

    /**
     * Makes the loop turn once more even when nothing is due (cluster mode's process watchdog:
     * the loop proves it is alive every second instead of sleeping up to 5 s). Thread-safe.
     */
    public void wake() {
        parts.inbox.add(new Message.Wake());
    }

    /**
     * Loads state, closes what a previous runner left running and applies start jitter
     * ({@link FleetStartup}). The runner calls it before it binds its HTTP port: leftovers of a
     * crashed runner may hold that port until they are stopped.
     */
    public void start() {
        if (runStart != null) { // first: what start-up itself writes (a previous run's lost sessions) is of this run
            runStartNanos = deps.time().nanoTime();
            parts.pending.add(List.of(runStart), null, null);
        }
        parts.startup.run(parts.slots, parts.pending, parts.applier, parts.recovery);
        parts.starts.rampFrom(deps.time().nanoTime());
        parts.breakers.rememberAutomaticPauses(deps.time().now(), deps.time().nanoTime());
        Instant now = deps.time().now();
        // bounded: 50 000 lines added 4-10 s to a loaded start (bench: 200 000 ends in 10 min); a
        // 10 000-profile fleet ends ~500 sessions a second, so its breakers get back 20 s of votes
        Duration alerts = alertWindow.compareTo(RECALL_AT_MOST) < 0 ? alertWindow : RECALL_AT_MOST;
        Duration lookback = parts.breakers.lookback().compareTo(alerts) >= 0 ? parts.breakers.lookback() : alerts;
        List<EventRecord> recent = deps.endedInLog().recent(now.minus(lookback), RECENT_ENDS_READ);
        parts.breakers.rememberRecentEnds(recent, now, deps.time().nanoTime());
        List<EventRecord> ours = parts.breakers.ofPodsHere(recent);
        if (deps.listener() instanceof RecallsRecentEvents windows) { // metrics and alerts: before the start's own events
            windows.recall(ours, now);
        }
        parts.holds.endedByRestart(ours, now);
        parts.queue.rebuild();
        parts.board.publish(parts.slots.values());
        parts.writes.flush(false);
        parts.leaseDuty.attach(parts.inbox); // cluster mode: leases are taken from now on
        lastTurnNanos = deps.time().nanoTime();
        started = true;
    }

    /**
     * One iteration: handle what arrived, check parts.timers, make decisions durable, then start parts.sessions.
     * Each message and each profile's share of the work fails alone ({@link LoopGuard}).
     */
    void step() {
        long nowNanos = deps.time().nanoTime();
        lastTurnNanos = nowNanos;
        Instant now = deps.time().now();
        handleMessages(nowNanos, now);
        parts.leaseDuty.enforce(); // cluster mode: self-fencing, and what lost its lease stops
        if (stopRequested && !stopInitiated) {
            stopInitiated = true;
            sessionsStopped = (int) parts.slots.values().stream().filter(x -> x.active != null || x.spawning != null).count();
            parts.sessions.abandonBrowserOpens();
            java.util.Map<ProfileSlot, Runnable> terms = new java.util.LinkedHashMap<>();
            parts.guard.eachProfile("shutdown", slot -> parts.sessions.termGroupForShutdown(slot, terms));
            parts.guard.each("shutdown", terms.keySet(), slot -> terms.get(slot).run()); // every SIGTERM in a row
            parts.guard.eachProfile("shutdown", parts.sessions::stopForShutdown);
            parts.recovery.cancelAll();
        }
        if (parts.timers.due(nowNanos)) { // not every turn: the fleet is looked at when a timer has come
            parts.timers.beginLook(nowNanos);
            // only a running session has timers: the running ones, not every profile of the fleet
            parts.guard.each("timers", parts.timers.running(), slot -> parts.timers.check(slot, nowNanos));
        }
        if (!stopRequested) {
            // a ladder step may open a browser: new episodes wait for the host too
            if (!parts.starts.admissionHolds(parts.recovery.hasQueued(), nowNanos, now)) {
                parts.recovery.admit(nowNanos);
            }
            parts.recovery.profilesInRecovery().forEach(id -> parts.guard.run("recovery", id, null, null,
                    () -> parts.recovery.tick(id, nowNanos, now)));
        }
        // cluster mode: only the lease holder unpauses, so once fleet-wide
        parts.pauses.expireDue(parts.slots, now, nowNanos, parts.leases::mayRun, parts.guard);
        parts.guard.run("leftovers", null, null, null, () -> parts.leftovers.sweep(nowNanos));
        // What follows a write reads the clock again: a write may wait on the store (PostgreSQL away,
        // up to storeWaitMs), and an exit that came meanwhile, handled at the turn's starting time,
        // was clamped to it: durMs up to 2 s short, its event dated before the child exited (reviewer R18)
        if (stopRequested) {
            parts.writes.flush(false);
            parts.sessions.abandonStagedLaunches(deps.time().nanoTime(), deps.time().now());
        } else if (!parts.writes.failing() || parts.writes.flush(false)) {
            parts.starts.startEligible(deps.time().nanoTime(), deps.time().now());
            // the turn's decisions and its starts in one write, in that order; the launches wait for it
            parts.writes.flush(false);
            handleMessages(deps.time().nanoTime(), deps.time().now()); // launches (and exits) that completed meanwhile
            parts.writes.flush(false);
        }
    }

    private void handleMessages(long nowNanos, Instant now) {
        parts.router.route(parts.inbox.drain(), nowNanos, now);
    }

    private boolean finished() {
        if (!stopRequested || !stopInitiated || !parts.recovery.idle()
                || !parts.slots.values().stream().allMatch(s -> s.active == null && s.spawning == null)) {
            return false;
        }
        parts.browsersOnExit.begin(parts.slots.values()); // browser.closeOnExit, logged while the loop runs
        return parts.browsersOnExit.done();
    }

    private void awaitWork() {
        long now = deps.time().nanoTime();
        long wait = Math.max(0, nextWakeNanos(now) - now);
        if (parts.leases.clustered()) { // the renew deadline is checked every turn
            wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(parts.leases.checkEveryMs()));
        }
        try {
            parts.inbox.await(wait, parts.sessions.launchesOut());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop();
        }
    }

    /** Every configured profile's state as the loop sees it, answered by the loop. Thread-safe. */
    public CompletableFuture<List<ProfileState>> profiles() {
        return parts.inbox.ask(Message.Snapshot::new);
    }

    /**
     * Every configured profile's latest state, read without asking the loop ({@link ProfileBoard}):
     * what the API and the dashboard read. Empty before {@link #start()}. Thread-safe.
     */
    public ProfileBoard board() {
        return parts.board;
    }

    /** Every configured pod's breaker and pauses as the loop sees them, answered by the loop. Thread-safe. */
    public CompletableFuture<List<PodStatus>> pods() {
        return parts.inbox.ask(Message.PodSnapshot::new);
    }

    /**
     * Lets a held pod start sessions again (an unpause of the pod by hand); answered with whether it
     * was held, once its event is written (or tried: a pod is released even when the log is failing). Thread-safe.
     */
    public CompletableFuture<Boolean> unpausePod(String pod, String by) {
        return parts.inbox.ask(reply -> new Message.PodUnpause(pod, by, reply));
    }

    /** Asks the loop to apply a new, validated configuration; answered once applied. Thread-safe. */
    public CompletableFuture<ReloadSummary> requestReload(RunnerConfig next) {
        return parts.inbox.ask(reply -> new Message.Reload(next, reply));
    }

    /**
     * Asks the loop to carry out an operator's request; answered once its event is in the log, or
     * with {@link ManualReply.Outcome#UNAVAILABLE} (and nothing changed) when it cannot be written. Thread-safe.
     */
    public CompletableFuture<ManualReply> request(ManualRequest request) {
        return parts.inbox.ask(reply -> new Message.Manual(request, reply));
    }

    /**
     * As {@link #request} for each, all carried out in the same turn of the loop, in order (a pod's
     * pauses: no session of the pod starts between two of them); the replies in the same order. Thread-safe.
     */
    public List<CompletableFuture<ManualReply>> requestAll(List<ManualRequest> requests) {
        return parts.inbox.askAll(requests, Message.Manual::new);
    }

    /**
     * When the loop must look again if no message comes first ({@link WakePlanner}): at once while
     * a stop is requested and not yet begun. A turn looks for a stop before it launches, then
     * drains its inbox once more, and a stop requested in between had its wake taken by that
     * drain: the loop slept up to 5 s before it began stopping.
     */
    long nextWakeNanos(long now) {
        return stopRequested && !stopInitiated ? now : parts.wake.nextWakeNanos(now);
    }

    /** Why sessions are not being started right now, or null when all is well. */
    public String problem() {
        return parts.health.problem();
    }

    /** Admission control as other threads see it (held or not, why, how many starts waited). Thread-safe. */
    /** One line while a pod's breaker is open ({@code /readyz}'s notes, {@code status}), else null. Any thread. */
    public String breakerNote() {
        return parts.breakers.note();
    }

    public AdmissionView admission() {
        return parts.admission;
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
