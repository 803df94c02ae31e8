package io.smartrunner.engine;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.event.EventRecord.RecoveryAttempted.Result;
import io.smartrunner.event.Events;
import io.smartrunner.process.RunTag;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.Transition;
import io.smartrunner.recovery.RecoveryActions;
import io.smartrunner.recovery.RecoveryLadder;
import io.smartrunner.recovery.RunningStep;
import io.smartrunner.recovery.StepContext;
import io.smartrunner.recovery.StepResult;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Runs recovery episodes in the background of the supervisor's loop: at most
 * {@code recovery.concurrency} at once (the rest wait in arrival order), never a session slot,
 * never a blocking wait. Steps and checks run asynchronously; their results come back as
 * messages; timeouts and backoff are deadlines on the monotonic clock. Loop thread only.
 */
final class RecoveryCoordinator {
    private final RecoveryLadder ladder;
    private final VerifyConfig verify;
    private final int concurrency;
    private final long stepTimeoutNanos;
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

    RecoveryCoordinator(RecoverySettings settings, RecoveryActions actions, ProfileRules rules, PendingWrites pending,
                        Consumer<Message> inbox, BiConsumer<ProfileSlot, Transition> record) {
        this.ladder = new RecoveryLadder(settings);
        this.verify = settings.verify();
        this.concurrency = settings.concurrency();
        this.stepTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.stepTimeoutMs());
        this.actions = actions;
        this.rules = rules;
        this.pending = pending;
        this.inbox = inbox;
        this.record = record;
    }

    /** A failed session that did not pause its profile: queue an episode (none with an empty ladder). */
    void begin(ProfileSlot slot, String sessionId, Instant now, long nowNanos) {
        if (ladder.isEmpty() || episodes.containsKey(slot.id())) {
            return;
        }
        EpisodeRun e = new EpisodeRun(slot, sessionId, now, nowNanos);
        episodes.put(slot.id(), e);
        queue.add(e);
    }

    boolean inRecovery(String profileId) {
        return episodes.containsKey(profileId);
    }

    /** Nothing of any step is still running (cancelled ones included). */
    boolean idle() {
        return outstanding == 0;
    }

    /** Stops a profile's episode within one step: no recover event follows. */
    void cancel(String profileId) {
        EpisodeRun e = episodes.remove(profileId);
        if (e == null) {
            return;
        }
        e.cancelled = true;
        if (!queue.remove(e)) {
            active--;
        }
        if (e.running != null) {
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
            e.phase = EpisodeRun.Phase.WAITING;
            e.dueNanos = ladder.firstStepDue(nowNanos);
        }
    }

    /** Episodes wait for a free place ({@link #admit}). */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** The profiles with an episode, in arrival order (a copy). */
    List<String> profilesInRecovery() {
        return List.copyOf(episodes.keySet());
    }

    /**
     * One profile's episode: fails its step if past its timeout, starts its step if due (the loop
     * does each profile on its own, see {@link LoopGuard}).
     */
    void tick(String profileId, long nowNanos, Instant now) {
        EpisodeRun e = episodes.get(profileId);
        if (e != null && (e.phase == EpisodeRun.Phase.STEP || e.phase == EpisodeRun.Phase.VERIFY)
                && nowNanos - e.deadlineNanos >= 0) {
            RunningStep late = e.running;
            e.runNumber++; // its result, when the cancellation lands, is dropped
            late.cancel();
            String why = "timed out after stepTimeoutMs " + TimeUnit.NANOSECONDS.toMillis(stepTimeoutNanos);
            completed(e, new StepResult(false, why), nowNanos, now);
        }
        e = episodes.get(profileId);
        if (e != null && e.phase == EpisodeRun.Phase.WAITING && nowNanos - e.dueNanos >= 0) {
            e.attemptStartNanos = nowNanos;
            e.stepResult = null;
            run(e, EpisodeRun.Phase.STEP, nowNanos);
        }
    }

    /** A step or check finished; {@code runNumber} tells whether it is still the current one. */
    void onResult(Message.StepDone done, long nowNanos, Instant now) {
        outstanding--;
        EpisodeRun e = episodes.get(done.profileId());
        if (e == null || e.cancelled || e.runNumber != done.runNumber()) {
            return;
        }
        completed(e, done.result(), nowNanos, now);
    }

    long nextDeadline(long fallback) {
        long next = fallback;
        for (EpisodeRun e : episodes.values()) {
            long t = switch (e.phase) {
                case WAITING -> e.dueNanos;
                case STEP, VERIFY -> e.deadlineNanos;
                case QUEUED -> next;
            };
            next = t - next < 0 ? t : next;
        }
        return next;
    }

    private void run(EpisodeRun e, EpisodeRun.Phase phase, long nowNanos) {
        e.phase = phase;
        e.deadlineNanos = nowNanos + stepTimeoutNanos;
        int number = ++e.runNumber;
        StepContext ctx = new StepContext(e.slot.config, e.sessionId, e.step + 1,
                RunTag.recoveryStep(e.sessionId, number));
        StepConfig step = ladder.step(e.step);
        RunningStep running = phase == EpisodeRun.Phase.STEP ? actions.step(step, ctx) : actions.verify(verify, ctx);
        e.running = running;
        outstanding++;
        String profileId = e.slot.id();
        running.result().whenComplete((r, ex) -> inbox.accept(new Message.StepDone(profileId, number,
                r != null ? r : StepResult.failed(String.valueOf(ex)))));
    }

    private void completed(EpisodeRun e, StepResult result, long nowNanos, Instant now) {
        e.running = null;
        if (e.phase == EpisodeRun.Phase.STEP) {
            e.stepResult = result;
            if (result.ok()) {
                run(e, EpisodeRun.Phase.VERIFY, nowNanos);
                return;
            }
            attempted(e, Result.FAILED, result.detail(), null, nowNanos, now);
        } else {
            attempted(e, result.ok() ? Result.OK : Result.UNHEALTHY, e.stepResult.detail(), result.detail(), nowNanos,
                    now);
        }
        if (result.ok()) {
            finish(e);
            record.accept(e.slot, Transition.unchanged(rules.recovered(e.slot.state)));
            return;
        }
        int next = ladder.nextAfter(e.step);
        if (next < 0) {
            pending.add(List.of(Events.recoveryExhausted(now, e.slot.pod(), e.slot.id(), e.sessionId, e.step + 1,
                    TimeUnit.NANOSECONDS.toMillis(nowNanos - e.startedNanos))), null, null);
            finish(e);
            return;
        }
        e.step = next;
        e.phase = EpisodeRun.Phase.WAITING;
        e.dueNanos = ladder.nextStepDue(nowNanos);
    }

    private void attempted(EpisodeRun e, Result outcome, String stepDetail, String verifyDetail, long nowNanos,
                           Instant now) {
        pending.add(List.of(Events.recoveryAttempted(now, e.slot.pod(), e.slot.id(), e.sessionId, e.step + 1,
                ladder.step(e.step).name(), outcome, stepDetail, verifyDetail,
                TimeUnit.NANOSECONDS.toMillis(nowNanos - e.attemptStartNanos))), null, null);
    }

    private void finish(EpisodeRun e) {
        episodes.remove(e.slot.id());
        active--;
    }
}
