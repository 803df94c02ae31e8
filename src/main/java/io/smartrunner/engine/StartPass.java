package io.smartrunner.engine;

import io.smartrunner.admission.AdmissionGate;
import io.smartrunner.config.RunnerConfig;
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
 * recovery, its pod not held, its pod's open breaker due a probe), picked by the {@link SessionScheduler} within the global and pod limits, each staged
 * by {@link SessionLifecycle} under the {@link LoopGuard}; none while the {@link AdmissionGate}
 * holds starts for the host's sake. Loop thread only.
 */
final class StartPass {
    private final Map<String, ProfileSlot> slots;
    private final RecoveryCoordinator recovery;
    private final SessionLifecycle sessions;
    private final LoopGuard guard;
    private final AdmissionGate admission;
    private final PendingWrites pending;
    private final PodBreakers breakers;
    private final PodHolds holds;
    private SessionScheduler scheduler;
    private final PodSlotDuty podSlots;
    private int globalConcurrency;
    private Map<String, Integer> podConcurrency = Map.of();
    /** Cluster mode: only profiles whose lease this runner holds (and renews in time) start. */
    private final java.util.function.Predicate<String> mayRun;

    StartPass(RunnerConfig config, Map<String, ProfileSlot> slots, RecoveryCoordinator recovery,
              SessionLifecycle sessions, LoopGuard guard, AdmissionGate admission, PendingWrites pending,
              PodBreakers breakers, PodHolds holds, java.util.function.Predicate<String> mayRun,
              PodSlotDuty podSlots) {
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
        configure(config);
    }

    /** The limits of a (re)loaded configuration. */
    void configure(RunnerConfig config) {
        Map<String, Integer> podLimits = new HashMap<>();
        config.pods().forEach(p -> podLimits.put(p.name(), p.concurrency()));
        scheduler = new SessionScheduler(config.runner().globalConcurrency(), podLimits);
        globalConcurrency = config.runner().globalConcurrency();
        podConcurrency = Map.copyOf(podLimits);
        podSlots.configure(config);
    }

    /** The keeper wants slots of a pod back (cluster mode): see {@link PodSlotDuty#giveBack}. */
    Map<String, List<Integer>> giveBackSlots(Map<String, Integer> counts) {
        Map<String, List<Integer>> given = new HashMap<>();
        counts.forEach((pod, count) -> given.put(pod, podSlots.giveBack(pod, count)));
        return given;
    }

    /** SQLite: the configured limits; cluster mode: each pod's concurrency within the slots held here now. */
    private SessionScheduler scheduler() {
        if (!podSlots.clustered()) {
            return scheduler;
        }
        podSlots.reportDemand();
        Map<String, Integer> limits = new HashMap<>();
        podConcurrency.forEach((pod, c) -> limits.put(pod, podSlots.limit(pod, c)));
        return new SessionScheduler(globalConcurrency, limits);
    }

    void startEligible(long nowNanos, Instant now) {
        Map<String, Integer> runningByPod = new HashMap<>();
        List<Candidate> candidates = candidates(nowNanos, runningByPod);
        List<Candidate> picked = candidates.isEmpty() ? List.of() : scheduler().pick(candidates, runningByPod);
        if (admissionHolds(!picked.isEmpty(), nowNanos, now)) {
            admission.delayed(picked.stream().map(Candidate::profileId).toList());
            return;
        }
        for (Candidate c : picked) {
            ProfileSlot slot = slots.get(c.profileId());
            if (breakers.mayStart(slot, nowNanos)) { // an open breaker's one probe may have been picked already
                guard.run("start", c.profileId(), null, null, () -> {
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
        }
        return admission.holding();
    }

    /** Whether {@link #startEligible} would start anyone now (asked before every wait). */
    boolean wouldStartAny(long nowNanos) {
        Map<String, Integer> runningByPod = new HashMap<>();
        return scheduler().wouldStartAny(candidates(nowNanos, runningByPod), runningByPod);
    }

    /** The profiles eligible to start now; fills {@code runningByPod} with the sessions running per pod. */
    private List<Candidate> candidates(long nowNanos, Map<String, Integer> runningByPod) {
        List<Candidate> candidates = new ArrayList<>();
        for (ProfileSlot slot : slots.values()) {
            if (slot.active != null || slot.spawning != null) {
                runningByPod.merge(slot.pod(), 1, Integer::sum);
            } else if (!slot.removed && ProfileRules.eligible(slot.state, nowNanos - slot.notBeforeNanos >= 0)
                    && !recovery.inRecovery(slot.id()) && !holds.held(slot.pod()) && breakers.mayStart(slot, nowNanos)
                    && mayRun.test(slot.id())) {
                // run now goes first in line: as if it had never run
                candidates.add(new Candidate(slot.id(), slot.pod(), slot.runNowBy != null ? null : slot.state.lastStartedAt(),
                        slot.order));
            }
        }
        return candidates;
    }
}
