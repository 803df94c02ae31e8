package io.smartrunner.engine;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.Events;
import io.smartrunner.process.RunTag;
import io.smartrunner.profile.Blame;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.Transition;
import io.smartrunner.recovery.Attempt;
import io.smartrunner.recovery.Episode;
import io.smartrunner.recovery.FailureSignature;
import io.smartrunner.recovery.LadderDecision;
import io.smartrunner.recovery.LadderInput;
import io.smartrunner.recovery.LadderMemory;
import io.smartrunner.recovery.RecoveryActions;
import io.smartrunner.recovery.RecoveryLadder;
import io.smartrunner.recovery.RunningStep;
import io.smartrunner.recovery.StepContext;
import io.smartrunner.recovery.StepResult;
import io.smartrunner.store.StateStore;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Runs recovery episodes in the background of the supervisor's loop: admits at most
 * {@code recovery.concurrency} at once (the rest wait in arrival order), never takes a session
 * slot, never waits. What to do next is the {@link RecoveryLadder}'s decision; this class carries
 * it out: starts steps and checks (asynchronously; their results come back as messages), writes
 * the recover events and records the recovered transition. Where an episode starts, and what
 * each attempt teaches, is the {@link LadderMemory}'s (recovery.strategy). Loop thread only.
 */
final class RecoveryCoordinator {
    private final RecoveryLadder ladder;
    private final LadderMemory memory;
    private final VerifyConfig verify;
    private final int concurrency;
    private final RecoveryActions actions;
    private final ProfileRules rules;
    private final PendingWrites pending;
    private final Consumer<Message> inbox;
    /** Records a profile's transition (to recovered) through the {@link TransitionApplier}. */
    private final BiConsumer<ProfileSlot, Transition> record;
    private final Map<String, EpisodeRun> episodes = new LinkedHashMap<>();
    private final Deque<EpisodeRun> queue = new ArrayDeque<>();
    private int active;
    /** Step and check runs whose result has not come back yet, cancelled ones included. */
    private int outstanding;
    /**
     * Recoveries not counted yet, by profile: the check said healthy; whether the recovery held is
     * told by the profile's next session ({@link #sessionEnded}).
     */
    private final Map<String, Recovery> unjudged = new HashMap<>();
    /**
     * The relapses counted last, by profile, oldest first (at most {@link #RELAPSES_KEPT}): an
     * opening breaker may forgive them ({@link #forgiven}).
     */
    private final Map<String, Deque<Relapse>> relapses = new HashMap<>();
    /** More than an outage's forgiveness reaches back to: a breaker's window holds a few failures a profile. */
    static final int RELAPSES_KEPT = 8;

    /**
     * A relapse, by profile, until the episode it begins: that episode starts above the step whose
     * recovery did not hold (the ladder climbs across the relapse, as it climbs within an episode).
     */
    private final Map<String, Recovery> climbs = new HashMap<>();

    /**
     * A recovery: the step that ended an episode healthy.
     *
     * @param stepIndex the step's place in the ladder, 0-based
     */
    private record Recovery(FailureSignature signature, String step, int stepIndex) {
    }

    private record Relapse(LadderMemory.Counted counted, long atNanos) {
    }

    /**
     * @param store       keeps the ladder's statistics
     * @param random      draws the adaptive strategy's explorations
     * @param diagnostics one-line messages for the operator
     */
    RecoveryCoordinator(RecoverySettings settings, RecoveryActions actions, ProfileRules rules, PendingWrites pending,
                        Consumer<Message> inbox, BiConsumer<ProfileSlot, Transition> record, StateStore store,
                        Random random, Consumer<String> diagnostics) {
        this.ladder = new RecoveryLadder(settings);
        this.memory = new LadderMemory(settings, store::loadLadderStats, store::writeLadderStats, random, diagnostics);
        this.verify = settings.verify();
        this.concurrency = settings.concurrency();
        this.actions = actions;
        this.rules = rules;
        this.pending = pending;
        this.inbox = inbox;
        this.record = record;
    }

    /** An episode resumed after a restart: its failure is not known any more, so it starts at step 1. */
    void begin(ProfileSlot slot, String sessionId, Instant now, long nowNanos) {
        begin(slot, sessionId, List.of(), now, nowNanos);
    }

    /**
     * A failed session that did not pause its profile: queue an episode (none with an empty
     * ladder). {@code events} are those that recorded the failure: its error event gives the
     * failure's signature. It starts where the strategy says, or above the step whose recovery the
     * failure undid (a relapse, {@link #sessionEnded}); after the last step's, where the strategy says.
     */
    void begin(ProfileSlot slot, String sessionId, List<EventRecord> events, Instant now, long nowNanos) {
        Recovery relapsed = climbs.remove(slot.id());
        if (ladder.isEmpty() || episodes.containsKey(slot.id())) {
            return;
        }
        FailureSignature signature = FailureSignature.ofFailure(events, sessionId);
        LadderMemory.Start start = memory.start(signature, ladder.stepNames());
        if (relapsed != null && relapsed.signature().equals(signature) && relapsed.stepIndex() + 1 > start.step()
                && relapsed.stepIndex() + 1 < ladder.stepNames().size()) {
            start = start.above(relapsed.stepIndex() + 1, relapsed.step());
        }
        EpisodeRun e = new EpisodeRun(slot, signature, start, Episode.queued(sessionId, nowNanos, start.step()));
        episodes.put(slot.id(), e);
        queue.add(e);
    }

    /** Episodes wait for a free place ({@link #admit}). */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    boolean inRecovery(String profileId) {
        return episodes.containsKey(profileId);
    }

    /** Nothing of any step is still running (cancelled ones included). */
    boolean idle() {
        return outstanding == 0;
    }

    /**
     * The session after a recovery ended ({@code blame} null: it succeeded). The step that recovered
     * the profile is counted now: a failure if the session failed again the same way (same
     * signature) by its own fault, a relapse (the check passed, the failure stayed); else a success
     * (it held, or a different failure came). A failure that is not the profile's own (an outage,
     * the runner's side) tells nothing of the step: the next session is waited for.
     */
    void sessionEnded(ProfileSlot slot, String sessionId, Blame blame, List<EventRecord> events, Instant now,
                      long nowNanos) {
        // an earlier relapse's climb whose episode never began (its failure paused the profile, or a
        // pause by hand came during its stop) ends with this session: the climb is for the next episode only
        climbs.remove(slot.id());
        Recovery u = unjudged.get(slot.id());
        if (u == null || blame != null && blame.failureClass() != FailureClass.PROFILE) {
            return;
        }
        unjudged.remove(slot.id());
        boolean relapsed = blame != null && u.signature().equals(FailureSignature.ofFailure(events, sessionId));
        if (relapsed) {
            climbs.put(slot.id(), u);
        }
        LadderMemory.Counted counted = memory.learned(u.signature(), u.step(), !relapsed, now);
        if (relapsed && counted != null) {
            Deque<Relapse> kept = relapses.computeIfAbsent(slot.id(), k -> new ArrayDeque<>());
            if (kept.size() == RELAPSES_KEPT) {
                kept.poll();
            }
            kept.add(new Relapse(counted, nowNanos));
        }
    }

    /**
     * A breaker opened and forgave the profile's failures since {@code onsetNanos}: a relapse among
     * them was the outage's, not the step's, and counts as a success after all.
     */
    void forgiven(String profileId, long onsetNanos) {
        Deque<Relapse> kept = relapses.get(profileId);
        if (kept == null) {
            return;
        }
        kept.removeIf(r -> {
            if (r.atNanos() - onsetNanos < 0) {
                return false;
            }
            memory.takeBack(r.counted());
            return true;
        });
        if (kept.isEmpty()) {
            relapses.remove(profileId);
        }
    }

    /**
     * The profile is no longer this runner's (removed from the configuration, its lease lost): a
     * recovery still waiting for its next session is not counted (that session, if any, runs
     * elsewhere), and its relapses are no longer forgiven here.
     */
    void forget(String profileId) {
        unjudged.remove(profileId);
        relapses.remove(profileId);
        climbs.remove(profileId);
    }

    /**
     * Stops a profile's episode within one step: no recover event follows. A recovery waiting for
     * the profile's next session goes on waiting (a pause by hand: the session after it tells).
     */
    void cancel(String profileId) {
        EpisodeRun e = episodes.remove(profileId);
        if (e == null) {
            return;
        }
        if (!queue.remove(e)) {
            active--;
        }
        LadderDecision.Cancelled d = (LadderDecision.Cancelled) ladder.decide(e.episode, LadderInput.CANCEL, 0);
        e.episode = d.episode();
        if (d.stopRun() && e.running != null) {
            e.running.cancel();
        }
    }

    void cancelAll() {
        List.copyOf(episodes.keySet()).forEach(this::cancel);
    }

    /** Admits queued episodes while fewer than {@code recovery.concurrency} run. */
    void admit(long nowNanos) {
        while (active < concurrency && !queue.isEmpty()) {
            EpisodeRun e = queue.poll();
            active++;
            e.episode = ladder.decide(e.episode, LadderInput.ADMITTED, nowNanos).episode();
        }
    }

    /** The profiles with an episode, in arrival order (a copy). */
    List<String> profilesInRecovery() {
        return List.copyOf(episodes.keySet());
    }

    /**
     * One profile's episode: fails its run if past its timeout, starts its step if due (the loop
     * does each profile on its own, see {@link LoopGuard}).
     */
    void tick(String profileId, long nowNanos, Instant now) {
        EpisodeRun e = episodes.get(profileId);
        if (e == null || e.episode.phase() == Episode.Phase.QUEUED) {
            return;
        }
        LadderDecision d = ladder.decide(e.episode, LadderInput.TICK, nowNanos);
        apply(e, d, nowNanos, now);
        if (d instanceof LadderDecision.Escalate) {
            // a timed-out run's successor may be due at once (retryBackoffMs 0)
            apply(e, ladder.decide(e.episode, LadderInput.TICK, nowNanos), nowNanos, now);
        }
    }

    /** A step or check finished; {@code runNumber} tells whether it is still the current one. */
    void onResult(Message.StepDone done, long nowNanos, Instant now) {
        outstanding--;
        EpisodeRun e = episodes.get(done.profileId());
        if (e == null) {
            return;
        }
        apply(e, ladder.decide(e.episode, new LadderInput.Result(done.runNumber(), done.result()), nowNanos),
                nowNanos, now);
    }

    long nextDeadline(long fallback) {
        long next = fallback;
        for (EpisodeRun e : episodes.values()) {
            if (e.episode.phase() != Episode.Phase.QUEUED) {
                long t = e.episode.dueNanos();
                next = t - next < 0 ? t : next;
            }
        }
        return next;
    }

    private void apply(EpisodeRun e, LadderDecision d, long nowNanos, Instant now) {
        if (d instanceof LadderDecision.Stale) {
            return;
        }
        e.episode = d.episode();
        if (d instanceof LadderDecision.RunStep) {
            start(e, true);
        } else if (d instanceof LadderDecision.Verify) {
            start(e, false);
        } else if (d instanceof LadderDecision.Escalate x) {
            attempted(e, x.attempt(), now);
        } else if (d instanceof LadderDecision.Held x) {
            attempted(e, x.attempt(), now);
        } else if (d instanceof LadderDecision.Recovered x) {
            attempted(e, x.attempt(), now);
            finish(e);
            record.accept(e.slot, Transition.unchanged(rules.recovered(e.slot.state)));
        } else if (d instanceof LadderDecision.Exhausted x) {
            attempted(e, x.attempt(), now);
            pending.add(List.of(Events.recoveryExhausted(now, e.slot.pod(), e.slot.id(), e.episode.sessionId(),
                    x.stepsUsed(), TimeUnit.NANOSECONDS.toMillis(x.durationNanos()), startOf(e))), null, null);
            finish(e);
        }
    }

    private void start(EpisodeRun e, boolean step) {
        Episode ep = e.episode;
        int number = ep.runNumber();
        StepContext ctx = new StepContext(e.slot.config, ep.sessionId(), ep.step() + 1,
                RunTag.recoveryStep(ep.sessionId(), number));
        RunningStep running = step ? actions.step(ladder.step(ep.step()), ctx) : actions.verify(verify, ctx);
        e.running = running;
        outstanding++;
        String profileId = e.slot.id();
        running.result().whenComplete((r, ex) -> inbox.accept(new Message.StepDone(profileId, number,
                r != null ? r : StepResult.failed(String.valueOf(ex)))));
    }

    /** Reports an ended attempt; a run that timed out is stopped first (its result comes back stale). */
    private void attempted(EpisodeRun e, Attempt a, Instant now) {
        RunningStep late = e.running;
        e.running = null;
        if (a.timedOut() && late != null) {
            late.cancel();
        }
        String step = ladder.step(a.step()).name();
        pending.add(List.of(Events.recoveryAttempted(now, e.slot.pod(), e.slot.id(), e.episode.sessionId(),
                a.step() + 1, step, a.outcome(), a.stepDetail(), a.verifyDetail(),
                TimeUnit.NANOSECONDS.toMillis(a.durationNanos()), startOf(e), a.infrastructure())), null, null);
        if (a.infrastructure()) { // a step its provider kept from running says nothing of how well it heals
            return;
        }
        if (a.outcome() == RecoveryAttempted.Result.OK && e.signature != null) {
            Recovery earlier = unjudged.put(e.slot.id(), new Recovery(e.signature, step, a.step()));
            if (earlier != null) { // no session of the profile's own since that recovery: as its check said
                memory.learned(earlier.signature(), earlier.step(), true, now);
            }
        } else {
            memory.learned(e.signature, step, a.outcome() == RecoveryAttempted.Result.OK, now);
        }
    }

    /**
     * How the episode chose where to start, for its events: the fixed strategy's say only
     * {@code strategy}, unless it started above a relapse ({@code startStep}, {@code relapseOf}); the
     * adaptive one's also {@code signature} and {@code startStep}.
     */
    private static Events.EpisodeStart startOf(EpisodeRun e) {
        LadderMemory.Start s = e.start;
        return new Events.EpisodeStart(s.strategy(), s.adaptive() ? s.signature() : null,
                s.adaptive() || s.relapseOf() != null ? s.step() + 1 : null, s.relapseOf());
    }

    private void finish(EpisodeRun e) {
        episodes.remove(e.slot.id());
        active--;
    }
}
