package io.smartrunner.engine;

import io.smartrunner.admission.SpawnShortage;
import io.smartrunner.config.ExitMeaning;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.Events;
import io.smartrunner.event.Redactor;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.OomKills;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.profile.Blame;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.profile.SpawnBackoff;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A session from decision to end: staged with its start event, launched once that is in the log,
 * stopped on a timeout, hang, pause, removal or shutdown, and ended with the rules' verdict (and a
 * recovery episode when it failed). Process exits and stop completions come back as messages.
 * Loop thread only.
 * <p>Over 250 lines because a session's life from staging to its one end (launch, stop, exit,
 * spawn failure, blame) is one state machine whose steps share the slot's fields.
 */
final class SessionLifecycle {
    static final String REMOVED = "the profile was removed from the configuration";
    static final String PAUSED_BY_HAND = ProfileRules.PAUSED_BY_HAND;
    static final String SHUTTING_DOWN = "the runner is shutting down";
    /** The {@code meaning} of a failure blamed on the host's refusing processes ({@link SpawnShortage}). */
    static final String HOST_SHORT = "host-short";
    /** A launched session's pid reaches its row with the next write, or alone after this long. */
    static final long PID_ROW_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Map<String, ProfileSlot> slots;
    private final ProfileRules rules;
    private final PendingWrites pending;
    private final TransitionApplier applier;
    private final SessionLaunch launch;
    private final Redactor redactor;
    private final Consumer<Message> inbox;
    private final LeftoverSweep leftovers;
    /** Forgets a removed profile once nothing of it runs. */
    private final Consumer<ProfileSlot> drop;
    private final BooleanSupplier stopInitiated;
    /** Whom a failure is blamed on (classes, the pods' breakers, the pause cap) and the pods held. */
    private final PodBreakers breakers;
    private final PodHolds holds;
    /** Cluster mode: a staged launch whose lease is gone (or past its renew deadline) is not handed over. */
    private final java.util.function.Predicate<String> mayRun;
    /** A session's timers start with it ({@link SessionTimers#armed}). */
    private final Consumer<ProfileSlot> armed;
    /** The slots with a staged launch, in the order they were staged. */
    private final java.util.List<ProfileSlot> staged = new java.util.ArrayList<>();
    /** The session ids of launches handed to the launch threads that report quietly and have not yet. */
    private final java.util.Set<String> launchesOut = new java.util.HashSet<>();
    private final SessionIds ids = new SessionIds();
    private final RotationFailures rotations;
    /** Spawns the host refused lately: failures meanwhile are not the profiles' (see {@link SpawnShortage}). */
    private final SpawnShortage spawns;
    /** Told each session's end, before the next episode begins: whether the last recovery held. */
    private final RecoveryCoordinator recovery;
    /** A SIGKILL nobody here sent: whether the kernel's OOM killer struck meanwhile. */
    private final OomKills oomKills = OomKills.system();

    SessionLifecycle(Map<String, ProfileSlot> slots, ProfileRules rules, PendingWrites pending,
                     TransitionApplier applier, SessionLaunch launch, Redactor redactor, Consumer<Message> inbox,
                     LeftoverSweep leftovers, Consumer<ProfileSlot> drop, BooleanSupplier stopInitiated,
                     PodBreakers breakers, PodHolds holds, java.util.function.Predicate<String> mayRun,
                     Consumer<ProfileSlot> armed, RotationFailures rotations, SpawnShortage spawns,
                     RecoveryCoordinator recovery) {
        this.recovery = recovery;
        this.rotations = rotations;
        this.spawns = spawns;
        this.mayRun = mayRun;
        this.armed = armed;
        this.slots = slots;
        this.rules = rules;
        this.pending = pending;
        this.applier = applier;
        this.launch = launch;
        this.redactor = redactor;
        this.inbox = inbox;
        this.leftovers = leftovers;
        this.drop = drop;
        this.stopInitiated = stopInitiated;
        this.breakers = breakers;
        this.holds = holds;
    }

    /** A session's process exited. */
    void exited(Message.Exited e, long nowNanos, Instant now) {
        ActiveSession a = activeOf(e.profileId(), e.sessionId());
        if (a != null) {
            a.exit = e.status();
            // the child's own exit time when the launcher knows it: the loop may see the exit late
            // (the runner was frozen or busy), and durMs is how long the session ran, not that
            Long at = e.status().exitedAtNanos();
            a.exitNanos = at == null || at - nowNanos > 0 ? nowNanos : at - a.startNanos < 0 ? a.startNanos : at;
            finishIfOver(slots.get(e.profileId()), nowNanos, now);
        }
    }

    /** A stop of a session's tree completed (or failed with {@code error}). */
    void stopped(Message.Stopped s, long nowNanos, Instant now) {
        ActiveSession a = activeOf(s.profileId(), s.sessionId());
        if (a != null) {
            a.stopped = true;
            a.stopError = s.error();
            finishIfOver(slots.get(s.profileId()), nowNanos, now);
        }
    }

    private ActiveSession activeOf(String profileId, String sessionId) {
        ProfileSlot slot = slots.get(profileId);
        return slot != null && slot.active != null && slot.active.sessionId().equals(sessionId) ? slot.active : null;
    }

    /** Stops the slot's running session's process tree; its end arrives as a message. */
    void stop(ProfileSlot slot, FailureReason reason, String detail) {
        stop(slot, reason, detail, slot.config.session().stopGraceMs());
    }

    /** {@link #stop(ProfileSlot, FailureReason, String)} with this SIGTERM-to-SIGKILL grace (self-fencing's is shorter). */
    void stop(ProfileSlot slot, FailureReason reason, String detail, long graceMs) {
        ActiveSession a = slot.active;
        if (a.stopping != null) {
            return;
        }
        a.stopReason = reason;
        a.stopDetail = detail;
        String profileId = slot.id();
        String sessionId = a.sessionId();
        a.stopping = a.process.stop(Duration.ofMillis(graceMs));
        a.stopping.whenComplete((v, ex) -> inbox.accept(new Message.Stopped(profileId, sessionId,
                ex == null ? null : String.valueOf(ex.getMessage()))));
    }

    /**
     * The runner stops, first pass: the slot's running session's process group is checked, and its
     * SIGTERM goes into {@code terms}, which the caller sends in a row once every group is checked;
     * {@link #stopForShutdown}'s books (the stop's scans and timers) come in a later pass. Stopping
     * 200 sessions in one pass, the last group was signalled 170 ms after the first, and ~100 ms
     * with a check before each signal: each exiting child took a CPU from the loop between two.
     */
    void termGroupForShutdown(ProfileSlot slot, java.util.Map<ProfileSlot, Runnable> terms) {
        if (slot.active != null && slot.active.stopping == null) {
            Runnable term = slot.active.process.termGroupAhead();
            if (term != null) {
                terms.put(slot, term);
            }
        }
    }

    /** The runner stops: the slot's running session, if any, is stopped (reason shutdown, not counted). */
    void stopForShutdown(ProfileSlot slot) {
        if (slot.active != null) {
            stop(slot, FailureReason.SHUTDOWN, SHUTTING_DOWN);
        }
    }

    private void finishIfOver(ProfileSlot slot, long nowNanos, Instant now) {
        ActiveSession a = slot.active;
        if (!a.over()) {
            return;
        }
        SessionResult result = SessionOutcomes.resultOf(a, nowNanos, redactor,
                slot.config.session().stderrTailBytes());
        // a last rotation, so the log cap holds after the session too; after the stderr tail is read,
        // which would wait for the rotation (it runs aside, off the loop)
        rotations.poll(slot, a, nowNanos);
        if (result.reason() == FailureReason.SIGNAL && "SIGKILL".equals(result.signal())) {
            String oom = oomKills.sinceLastDeath();
            result = oom == null ? result : result.withDetailAdded(oom);
        }
        if (!result.succeeded() && a.browserCrashed) {
            // still the profile's failure (its browser is its own), but not without the cause in sight
            // (reviewer R24: a kill -9 of the browser was followed 200 ms later by an error that did not mention it)
            result = result.withDetailAdded("its browser crashed "
                    + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(Math.max(0, nowNanos - a.browserCrashedNanos))
                    + " ms before the session's end was handled (browser-crash)");
        }
        slot.active = null;
        if (a.stopping == null && !a.process.contained()) { // a contained one's leftovers went with its cgroup
            leftovers.ended(a.record.pgid(), a.sessionId());
        }
        end(slot, a.record, result, nowNanos, now);
    }

    /**
     * The one end of every session, whether it ran or could not be spawned: the rules' verdict is
     * applied (state, events, session row; then recovery, browser) unless the profile was removed,
     * whose slot is dropped instead.
     */
    private void end(ProfileSlot slot, SessionRecord record, SessionResult result, long nowNanos, Instant now) {
        Blame blame = null;
        if (result.succeeded()) {
            breakers.succeeded(slot, record.sessionId(), result.durMs(), nowNanos, now);
        } else {
            blame = breakers.failed(slot, record.sessionId(), result, nowNanos, now); // may forgive: state read after
            if (blame.failureClass() != FailureClass.INFRASTRUCTURE && spawns.within(nowNanos)) {
                // the host was refusing processes: the session's own children met the same limit
                blame = new Blame(FailureClass.INFRASTRUCTURE, HOST_SHORT, null);
            }
            if (ExitMeaning.CONFIG.wireName().equals(blame.meaning())) {
                holds.hold(slot.pod(), "a session exited with code " + result.exitCode()
                        + ", mapped to config (session.exitCodes)", slot.id(), record.sessionId(), result.exitCode(), now);
            }
        }
        ProfileState before = slot.state;
        Transition t = rules.sessionEnded(before, record.sessionId(), result, blame, now);
        SessionRecord ended = record.ended(result.succeeded() ? SessionRecord.Status.FINISHED
                : SessionRecord.Status.FAILED, now, result.succeeded() ? null : result.reason().wireName(),
                result.exitCode());
        boolean withheld = !result.succeeded() && pauseWithheld(t);
        holdBack(slot, result, blame, withheld, nowNanos);
        applier.record(slot, t, ended);
        breakers.applied(slot, before, result.succeeded(), withheld, now, nowNanos);
        recovery.sessionEnded(slot, record.sessionId(), blame, t.events(), now, nowNanos);
        if (slot.removed) {
            drop.accept(slot);
            return;
        }
        applier.perform(slot, t, now, nowNanos);
    }

    /**
     * The next session waits for the cooldown, or for the longer of the cooldown and
     * {@link SpawnBackoff} after a spawn failure, an exit code mapped to {@code retry-later} (neither
     * is the profile's: no streak, no pause, but no tight retry loop either) or a failure whose pause
     * {@code breaker.maxPausedShare} withheld (the profile failed enough to be paused: retrying it at
     * the cooldown's pace would be the crash loop the pause is there to stop). Any other end resets
     * the back-off.
     */
    private static void holdBack(ProfileSlot slot, SessionResult result, Blame blame, boolean withheld, long nowNanos) {
        long waitMs = slot.config.session().cooldownMs();
        if (withheld || !result.succeeded() && (result.reason() == FailureReason.SPAWN
                || ExitMeaning.RETRY_LATER.wireName().equals(blame.meaning()))) {
            slot.backedOffFailures++;
            waitMs = Math.max(waitMs, SpawnBackoff.after(slot.backedOffFailures).toMillis());
        } else {
            slot.backedOffFailures = 0;
        }
        slot.notBeforeNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(waitMs);
    }

    private static boolean pauseWithheld(Transition t) {
        return !t.events().isEmpty() && t.events().get(0).params().value(EventParams.PAUSE_WITHHELD) != null;
    }

    /**
     * Records the decision to start a session (start event, profile running, session row without
     * a pid yet); the launch itself waits until that is in the log, see {@link SessionLaunch#submit}.
     */
    void stage(ProfileSlot slot, Instant now) {
        String sessionId = ids.next(now);
        ProfileState started = rules.sessionStarted(slot.state, sessionId, now);
        SessionRecord record = new SessionRecord(sessionId, slot.id(), slot.pod(), 0, 0, 0, now,
                SessionRecord.Status.RUNNING, null, null, null);
        slot.spawning = sessionId;
        slot.staged = new StagedLaunch(slot.config, record);
        staged.add(slot);
        slot.runNowBy = null;
        // the template, not the expanded argv: {cdpUrl} is a credential and must not reach the log
        applier.record(slot, new Transition(started, List.of(Events.sessionStarted(now, slot.pod(), slot.id(),
                sessionId, launch.summary(slot.config.session().command())))), record);
    }

    /**
     * Hands the staged launches to the launcher's threads: spawning a process blocks for a while
     * in the kernel, and launches overlap far better than they run one after another.
     */
    void launchStaged() {
        for (ProfileSlot slot : takeStaged()) {
            StagedLaunch next = slot.staged;
            if (next == null) {
                continue;
            }
            slot.staged = null;
            if (!mayRun.test(slot.id())) {
                inbox.accept(Message.Launched.failed(slot.id(), next.record(),
                        "not started: " + LeaseDuty.LEASE_LOST + " (or its renew deadline passed)"));
                continue;
            }
            if (launch.submit(next)) {
                launchesOut.add(next.record().sessionId());
            }
        }
    }

    /**
     * Whether a launch handed to the launch threads that reports quietly ({@link SessionLaunch#submit})
     * has not reported yet: the loop's wait is bounded meanwhile ({@link LoopInbox#await}).
     */
    boolean launchesOut() {
        return !launchesOut.isEmpty();
    }

    private java.util.List<ProfileSlot> takeStaged() {
        if (staged.isEmpty()) {
            return java.util.List.of();
        }
        java.util.List<ProfileSlot> out = java.util.List.copyOf(staged);
        staged.clear();
        return out;
    }

    /** The runner is stopping: launches still opening their browsers are not waited for. */
    void abandonBrowserOpens() {
        launch.abandonBrowserOpens();
    }

    /** Shutting down while the log cannot be written: launches that never happened end as such. */
    void abandonStagedLaunches(long nowNanos, Instant now) {
        for (ProfileSlot slot : takeStaged()) {
            if (slot.staged != null) {
                SessionRecord record = slot.staged.record();
                slot.staged = null;
                launched(Message.Launched.failed(slot.id(), record, SessionLaunch.NOT_STARTED_STOPPING),
                        nowNanos, now);
            }
        }
    }

    void launched(Message.Launched l, long nowNanos, Instant now) {
        ProfileSlot slot = slots.get(l.profileId());
        SessionRecord record = l.record();
        launchesOut.remove(record.sessionId());
        if (slot == null || !record.sessionId().equals(slot.spawning)) {
            return;
        }
        slot.spawning = null;
        SessionSettings settings = slot.config.session();
        if (l.process() == null) {
            if (l.hostShort()) {
                spawns.refused(redactor.redact(l.error()), nowNanos);
            }
            SessionResult failed = new SessionResult(FailureReason.SPAWN, null, null, redactor.redact(l.error()), "", 0L);
            end(slot, record, failed, nowNanos, now);
            return;
        }
        RunningProcess process = l.process();
        SessionRecord withPid = new SessionRecord(record.sessionId(), record.profileId(), record.pod(), process.pid(),
                process.startTicks(), process.pgid(), record.startedAt(), SessionRecord.Status.RUNNING, null, null, null);
        long startNanos = l.launchedNanos() - nowNanos > 0 ? nowNanos : l.launchedNanos();
        slot.active = new ActiveSession(withPid, process, startNanos, TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs()),
                TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMs()));
        armed.accept(slot);
        pending.addLate(withPid, nowNanos + PID_ROW_WITHIN_NANOS);
        if (stopInitiated.getAsBoolean()) {
            stop(slot, FailureReason.SHUTDOWN, SHUTTING_DOWN);
        } else if (slot.removed) {
            stop(slot, FailureReason.SHUTDOWN, REMOVED);
        } else if (slot.state.paused()) {
            stop(slot, FailureReason.SHUTDOWN, PAUSED_BY_HAND);
        }
    }
}
