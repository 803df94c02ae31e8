package io.smartrunner.engine;

import io.smartrunner.admission.AdmissionGate;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.session.SessionScheduler;
import io.smartrunner.session.SessionScheduler.Candidate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who starts a session now: the eligible profiles (not running, not paused, cooled down, not in
 * recovery, its pod not held, its pod's open breaker due a probe), least recently started first
 * within the global and pod limits, taken from the {@link StartQueue}, each staged by
 * {@link SessionLifecycle} under the {@link LoopGuard}; none while the {@link AdmissionGate} holds
 * starts for the host's sake. Loop thread only.
 */
final class StartPass {
    /**
     * At most this many starts per turn. A turn's write (SQLite, the event log) comes before its
     * launches, so a start of 200 sessions wrote all 200 before the first spawn (100 ms); in
     * slices the launch thread spawns one slice while the loop writes the next, and the next turn
     * comes at once ({@link WakePlanner}: something could start).
     */
    static final int STARTS_PER_TURN = 32;

    private final Map<String, ProfileSlot> slots;
    private final RecoveryCoordinator recovery;
    private final SessionLifecycle sessions;
    private final LoopGuard guard;
    private final AdmissionGate admission;
    private final PendingWrites pending;
    private final PodBreakers breakers;
    private final PodHolds holds;
    private final StartQueue queue;
    private final PodSlotDuty podSlots;
    private int globalConcurrency;
    private Map<String, Integer> podConcurrency = Map.of();
    /** runner.startJitterMs as the runner started (a reload does not start the fleet again). */
    private final long startJitterMs;
    /** The first starts spread over startJitterMs, from {@link #rampFrom}. */
    private StartRamp ramp = StartRamp.none();
    /** Cluster mode: only profiles whose lease this runner holds (and renews in time) start. */
    private final java.util.function.Predicate<String> mayRun;
    /** The runner's stderr: an episode of held starts is said there too (an operator reading the journal). */
    private final java.util.function.Consumer<String> diagnostics;

    StartPass(RunnerConfig config, Map<String, ProfileSlot> slots, RecoveryCoordinator recovery,
              SessionLifecycle sessions, LoopGuard guard, AdmissionGate admission, PendingWrites pending,
              PodBreakers breakers, PodHolds holds, java.util.function.Predicate<String> mayRun,
              PodSlotDuty podSlots, StartQueue queue, java.util.function.Consumer<String> diagnostics) {
        this.diagnostics = diagnostics;
        this.queue = queue;
        this.mayRun = mayRun;
        this.podSlots = podSlots;
        this.breakers = breakers;
        this.holds = holds;
        this.slots = slots;
        this.recovery = recovery;
        this.sessions = sessions;
        this.guard = guard;
        this.admission = admission;
        this.pending = pending;
        this.startJitterMs = config.runner().startJitterMs();
        configure(config);
    }

    /** The limits of a (re)loaded configuration; every profile filed again (a reload may add, remove or move them). */
    void configure(RunnerConfig config) {
        Map<String, Integer> podLimits = new HashMap<>();
        config.pods().forEach(p -> podLimits.put(p.name(), p.concurrency()));
        globalConcurrency = config.runner().globalConcurrency();
        podConcurrency = Map.copyOf(podLimits);
        podSlots.configure(config);
        queue.rebuild();
    }

    /** Start-up: the limits rise over runner.startJitterMs from {@code nowNanos} ({@link StartRamp}). */
    void rampFrom(long nowNanos) {
        ramp = new StartRamp(nowNanos, startJitterMs);
    }

    /**
     * When the loop must look again because the start-up ramp, and nothing else, holds a start
     * back: its next step; {@code next} otherwise.
     */
    long rampStep(long nowNanos, long next) {
        if (!ramp.rising(nowNanos) || !pick(nowNanos, 1, false).isEmpty() || pick(nowNanos, 1, true).isEmpty()) {
            return next;
        }
        long step = ramp.nextStepNanos(globalConcurrency, nowNanos);
        return step - next < 0 ? step : next;
    }

    /** The keeper wants slots of a pod back (cluster mode): see {@link PodSlotDuty#giveBack}. */
    Map<String, List<Integer>> giveBackSlots(Map<String, Integer> counts) {
        Map<String, List<Integer>> given = new HashMap<>();
        counts.forEach((pod, count) -> given.put(pod, podSlots.giveBack(pod, count)));
        return given;
    }

    void startEligible(long nowNanos, Instant now) {
        List<ProfileSlot> picked = pick(nowNanos, STARTS_PER_TURN, false);
        if (admissionHolds(!picked.isEmpty(), nowNanos, now)) {
            admission.delayed(picked.stream().map(ProfileSlot::id).toList());
            return;
        }
        for (ProfileSlot slot : picked) {
            if (breakers.mayStart(slot, nowNanos)) { // an open breaker's one probe may have been picked already
                guard.run("start", slot.id(), null, null, () -> {
                    sessions.stage(slot, now);
                    breakers.starting(slot, slot.spawning, nowNanos);
                });
            }
        }
    }

    /** Whether starts wait for the host (admission control); records the start or end of an episode of pressure. */
    boolean admissionHolds(boolean wantToStart, long nowNanos, Instant now) {
        EventRecord episode = admission.look(wantToStart, nowNanos, now);
        if (episode != null) {
            pending.add(List.of(episode), null, null);
            diagnostics.accept(episode instanceof EventRecord.PressureEnded ended
                    ? "new sessions resume after " + ended.durMs() + " ms held; " + ended.sessionsDelayed() + " delayed"
                    : "new sessions held: " + episode.params().value(EventParams.MESSAGE));
        }
        return admission.holding();
    }

    /** Whether {@link #startEligible} would start anyone now (asked before every wait). */
    boolean wouldStartAny(long nowNanos) {
        return !pick(nowNanos, 1, false).isEmpty();
    }

    /**
     * Up to {@code atMost} profiles to start now from the {@link StartQueue}: work in proportion to
     * what starts, not to the fleet. With assertions on (the tests), every pick is compared with the
     * {@link SessionScheduler}'s pick from a scan of every profile, which is what it replaces.
     *
     * @param wholeLimits the configured limits even while the start-up ramp holds them lower
     */
    private List<ProfileSlot> pick(long nowNanos, int atMost, boolean wholeLimits) {
        Map<String, Integer> limits = podLimits(nowNanos, wholeLimits);
        int global = wholeLimits ? globalConcurrency : ramp.allow(globalConcurrency, nowNanos);
        int free = Math.min(atMost, global - queue.busyTotal());
        List<ProfileSlot> picked = queue.pick(nowNanos, free,
                pod -> limits.getOrDefault(pod, global) - queue.busy(pod),
                pod -> !holds.held(pod) && breakers.mayStartIn(pod, nowNanos), this::mayStart);
        assert queue.inStep(nowNanos) && sameAsScan(picked, nowNanos, global, limits, atMost);
        return picked;
    }

    private boolean mayStart(ProfileSlot slot) {
        return !recovery.inRecovery(slot.id()) && mayRun.test(slot.id());
    }

    /** This runner's sessions in {@code pod} now (starting or running). */
    int sessions(String pod) {
        return queue.busy(pod);
    }

    /**
     * How many sessions of {@code pod} may run here at once now: its limit of {@link #podLimits},
     * and never more than the runner's own (runner.globalConcurrency).
     */
    int slots(String pod) {
        int concurrency = podConcurrency.getOrDefault(pod, globalConcurrency);
        return Math.min(globalConcurrency, podSlots.clustered() ? podSlots.limit(pod, concurrency) : concurrency);
    }

    /**
     * SQLite: the configured limits; cluster mode: each pod's concurrency within the slots held here
     * now; either, lower while the start-up ramp rises (unless {@code wholeLimits}).
     */
    private Map<String, Integer> podLimits(long nowNanos, boolean wholeLimits) {
        boolean ramped = !wholeLimits && ramp.rising(nowNanos);
        if (!podSlots.clustered() && !ramped) {
            return podConcurrency;
        }
        if (podSlots.clustered()) {
            podSlots.reportDemand();
        }
        Map<String, Integer> limits = new HashMap<>();
        podConcurrency.forEach((pod, c) -> {
            int limit = podSlots.clustered() ? podSlots.limit(pod, c) : c;
            limits.put(pod, ramped ? ramp.allow(limit, nowNanos) : limit);
        });
        return limits;
    }

    /** The assertion: the queue picked what the scheduler picks from a scan of every profile. */
    private boolean sameAsScan(List<ProfileSlot> picked, long nowNanos, int global, Map<String, Integer> limits,
                               int atMost) {
        Map<String, Integer> runningByPod = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (ProfileSlot slot : slots.values()) {
            if (slot.active != null || slot.spawning != null) {
                runningByPod.merge(slot.pod(), 1, Integer::sum);
            } else if (!slot.removed && ProfileRules.eligible(slot.state, nowNanos - slot.notBeforeNanos >= 0)
                    && !holds.held(slot.pod()) && breakers.mayStart(slot, nowNanos) && mayStart(slot)) {
                // run now goes first in line: as if it had never run
                candidates.add(new Candidate(slot.id(), slot.pod(), slot.runNowBy != null ? null : slot.state.lastStartedAt(),
                        slot.order));
            }
        }
        List<String> expected = new SessionScheduler(global, limits).pick(candidates, runningByPod).stream()
                .limit(atMost).map(Candidate::profileId).toList();
        List<String> got = picked.stream().map(ProfileSlot::id).toList();
        if (!expected.equals(got)) {
            throw new AssertionError("start queue picked " + got + ", a scan of every profile picks " + expected);
        }
        return true;
    }
}
