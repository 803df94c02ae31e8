package io.smartrunner.engine;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import io.smartrunner.process.ProcessTable.SessionToStop;
import io.smartrunner.process.ProcessTable.TaggedProcess;
import io.smartrunner.process.RunTag;
import io.smartrunner.profile.Blame;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Closes, at start-up, what a previous runner on the same data dir left behind when it died:
 * every session still marked running gets its processes stopped (only when provably its own:
 * pid plus start time, or this runner's id in the environment) and exactly one {@code error}
 * event with reason {@code lost}; no profile stays {@code running}. Browsers left running are
 * stopped too, except those of the profiles in {@code keptBrowsers}: with {@code closeOnExit:
 * false} the chromium provider adopts them (or stops them itself if they no longer answer).
 * A session whose terminal event is already in the log (its row could not be updated, e.g. on
 * a full disk) gets no second one: its row and its profile's state are brought in line with
 * the log, without a new event. A session whose {@code start} reached the log but whose row
 * never reached the store (the store failed, the log did not) is closed as lost too, once.
 * A profile this pauses has its browser closed like any pause's (through {@link TransitionApplier}).
 */
final class CrashReconciler {
    private static final String DETAIL = "the runner stopped while the session was running";
    static final String NEVER_LAUNCHED = "never launched: the runner stopped after the session's start reached its log"
            + " and before its row reached the database";
    static final String LEFT_BROWSER_STOPPED = "a previous runner's browser, stopped at start";
    private final SupervisorDeps deps;
    private final ProfileRules rules;
    private final Duration grace;
    private final Set<String> keptBrowsers;

    /** @param keptBrowsers profiles whose browser left running is not stopped here but left to the provider */
    CrashReconciler(SupervisorDeps deps, ProfileRules rules, long graceMs, Set<String> keptBrowsers) {
        this.deps = deps;
        this.rules = rules;
        this.grace = Duration.ofMillis(graceMs);
        this.keptBrowsers = Set.copyOf(keptBrowsers);
    }

    /**
     * Cluster mode: only the processes are stopped; the sessions with a row are closed by their
     * lease's next holder. A start in this runner's log whose row never reached the database (it
     * was killed between the two) is known to nobody else: it is closed here, once, with an event
     * only (the profile's state is its lease holder's to write).
     */
    void stopLeftovers(Map<String, ProfileState> stored, PendingWrites pending, Instant now) {
        Map<String, SessionRecord> open = new LinkedHashMap<>();
        deps.store().openSessions().forEach(s -> open.put(s.sessionId(), s));
        List<SessionToStop> stops = new ArrayList<>(toStop(open.values()));
        List<TaggedProcess> browsers = new ArrayList<>();
        for (TaggedProcess orphan : unrecordedOrphans(open.keySet())) {
            if (!kept(orphan)) {
                stops.add(new SessionToStop(orphan.pid(), orphan.startTicks(), orphan.sessionId()));
                addIfBrowser(orphan, browsers);
            }
        }
        List<EventRecord> browserCloses = closedBrowsers(browsers, now); // their pids: before they are stopped
        stop(stops);
        pending.add(browserCloses, null, null);
        closeNeverLaunched(open.keySet(), stored, pending, now);
    }

    /**
     * Stops what a previous runner left running, all at once (one grace in all, not one per
     * session), then what escaped its sessions (a daemonising grandchild: leftover cgroups, orphans
     * adopted), and says how many (reviewer R13: 32 processes stopped at a restart, said nowhere).
     */
    private void stop(List<SessionToStop> stops) {
        int sessions = deps.processTable().stopSessions(stops, grace);
        int escaped = deps.processTable().stopEscaped(deps.store().runnerId(), this::kept, grace);
        if (sessions + escaped > 0) {
            deps.diagnostics().accept("stopped what the previous runner left running: " + sessions + " process(es) of"
                    + " its sessions, browsers and recovery steps (of " + stops.size() + " it had running or left)"
                    + (escaped > 0 ? " and " + escaped + " that had left them (cgroups, orphans)" : ""));
        }
    }

    private void closeNeverLaunched(Set<String> open, Map<String, ProfileState> stored, PendingWrites pending,
                                    Instant now) {
        // other runners write the profiles' last instants too: only this runner's own rows say where
        // its log and the database part
        Instant since = deps.store().ownSessionsInSyncSince().orElse(null);
        List<EventRecord> starts = deps.endedInLog().unendedStarts(since, Set.copyOf(open));
        if (starts.isEmpty()) {
            return;
        }
        // a row (closed by a lease's next holder) or an end in the fleet's log: not this runner's to close
        Set<String> recorded = deps.store().recordedElsewhere(starts.stream().map(EventRecord::sessionId).toList());
        for (EventRecord start : starts) {
            if (recorded.contains(start.sessionId())) {
                continue;
            }
            ProfileState before = stored.getOrDefault(start.profileId(), ProfileState.fresh(start.profileId(), start.pod()));
            // a launch waits for its row: this session never ran (durMs 0, not the time until this restart,
            // which would make it overlap the sessions the lease's next holder ran meanwhile)
            SessionResult lost = new SessionResult(FailureReason.LOST, null, null, NEVER_LAUNCHED, "", 0L);
            pending.add(rules.sessionEnded(before, start.sessionId(), lost, now).events(), null, null);
        }
    }

    void reconcile(Map<String, ProfileSlot> slots, Map<String, ProfileState> stored, PendingWrites pending,
                   TransitionApplier applier, Instant now) {
        Map<String, SessionRecord> open = new LinkedHashMap<>();
        deps.store().openSessions().forEach(s -> open.put(s.sessionId(), s));
        List<SessionToStop> stops = new ArrayList<>(toStop(open.values()));
        List<TaggedProcess> browsers = new ArrayList<>();
        for (TaggedProcess orphan : unrecordedOrphans(open.keySet())) {
            if (kept(orphan)) {
                continue;
            }
            stops.add(new SessionToStop(orphan.pid(), orphan.startTicks(), orphan.sessionId()));
            addIfBrowser(orphan, browsers);
            // a recovery step's or a browser's process is not a session: stopped, but no session event
            if (orphan.profileId() != null && orphan.pod() != null
                    && RunTag.of(orphan.sessionId()) == RunTag.SESSION) {
                open.put(orphan.sessionId(), new SessionRecord(orphan.sessionId(), orphan.profileId(), orphan.pod(),
                        orphan.pid(), orphan.startTicks(), orphan.pid(), null, SessionRecord.Status.RUNNING, null,
                        null, null));
            }
        }
        List<EventRecord> browserCloses = closedBrowsers(browsers, now); // their pids: before they are stopped
        stop(stops);
        pending.add(browserCloses, null, null);
        Map<String, ProfileState> states = new HashMap<>(stored);
        slots.values().forEach(slot -> states.put(slot.id(), slot.state));
        List<EventRecord> unrecorded = deps.endedInLog().unendedStarts(storeInSyncSince(stored),
                Set.copyOf(open.keySet()));
        Map<String, EventRecord> ended = deps.endedInLog().terminalEvents(open.keySet());
        ended.values().stream().sorted(Comparator.comparing(EventRecord::ts))
                .forEach(e -> alignWithLog(open.remove(e.sessionId()), e, states, pending));
        unrecorded.forEach(start -> open.put(start.sessionId(), neverLaunched(start))); // lost, like the rest
        for (SessionRecord s : open.values()) {
            ProfileState before = states.getOrDefault(s.profileId(), ProfileState.fresh(s.profileId(), s.pod()));
            SessionResult lost = lost(s.startedAt(), now);
            Transition t = rules.sessionEnded(before, s.sessionId(), lost, now);
            states.put(s.profileId(), t.state());
            SessionRecord known = s.startedAt() != null ? s : new SessionRecord(s.sessionId(), s.profileId(), s.pod(),
                    s.pid(), s.pidStartTicks(), s.pgid(), now, s.status(), null, null, null);
            pending.add(t.events(), t.state(), known.ended(SessionRecord.Status.FAILED, now,
                    FailureReason.LOST.wireName(), null));
        }
        for (ProfileSlot slot : slots.values()) {
            ProfileState st = states.get(slot.id());
            if (st.running()) {
                st = notRunning(st);
            }
            if (st.equals(slot.state)) {
                continue;
            }
            // paused here by a session that ended (lost, or already in the log): its browser closes, as
            // any pause's does (browser.closeOnPause); it was kept from the orphans above for adoption.
            // Recovery is begun by the caller for every profile that needs it, so that is not repeated.
            Transition t = new Transition(st, List.of(), st.paused() && !slot.state.paused()
                    ? Transition.Effects.browserClosed() : Transition.Effects.NONE);
            applier.record(slot, t, null); // queued again: the same value if a session ended above
            applier.perform(slot, t, now, 0);
        }
    }

    /**
     * The session ended in the log: its row and its profile's state become what the runner that
     * wrote the event decided (the same rules on the same result at the same time), with no new event.
     */
    private void alignWithLog(SessionRecord s, EventRecord end, Map<String, ProfileState> states,
                              PendingWrites pending) {
        SessionResult result = resultOf(end);
        ProfileState before = states.getOrDefault(s.profileId(), ProfileState.fresh(s.profileId(), s.pod()));
        // the class the writer decided (an open breaker's shared failure did not count), not the reason's
        Blame blame = end instanceof EventRecord.SessionFailed f ? Blame.logged(result, f) : null;
        ProfileState after = rules.sessionEnded(before, s.sessionId(), result, blame, end.ts()).state();
        states.put(s.profileId(), after);
        SessionRecord known = s.startedAt() != null ? s : new SessionRecord(s.sessionId(), s.profileId(), s.pod(),
                s.pid(), s.pidStartTicks(), s.pgid(), end.ts(), s.status(), null, null, null);
        pending.add(List.of(), after, known.ended(result.succeeded() ? SessionRecord.Status.FINISHED
                : SessionRecord.Status.FAILED, end.ts(), result.succeeded() ? null : result.reason().wireName(),
                result.exitCode()));
    }

    /** A session the runner stopped running under, started at {@code startedAt} (null: unknown). */
    private static SessionResult lost(Instant startedAt, Instant now) {
        Long durMs = startedAt == null ? null : Math.max(0, Duration.between(startedAt, now).toMillis());
        return new SessionResult(FailureReason.LOST, null, null, DETAIL, "", durMs);
    }

    /** The result a terminal event records (see ProfileRules.sessionEnded for the params). */
    static SessionResult resultOf(EventRecord end) {
        if (!(end instanceof SessionFailed f)) {
            return SessionResult.success(end.durMs() == null ? 0 : end.durMs());
        }
        FailureReason reason;
        try {
            reason = FailureReason.valueOf(String.valueOf(f.reason()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            reason = FailureReason.EXIT;
        }
        return new SessionResult(reason, f.param(EventParams.EXIT_CODE), f.param(EventParams.SIGNAL),
                f.param(EventParams.MESSAGE), "", end.durMs());
    }

    private static void addIfBrowser(TaggedProcess orphan, List<TaggedProcess> browsers) {
        if (RunTag.of(orphan.sessionId()) == RunTag.BROWSER && orphan.profileId() != null && orphan.pod() != null) {
            browsers.add(orphan);
        }
    }

    /**
     * A {@code browser-close} for each browser a previous runner left and this start stopped
     * (none is stopped unlogged), with its main process's pid ({@link ProcessTable#unrecorded}
     * finds the run's earliest-started process: the pid its {@code browser-start} named), and one
     * line on stderr saying so.
     */
    private List<EventRecord> closedBrowsers(List<TaggedProcess> browsers, Instant now) {
        if (browsers.isEmpty()) {
            return List.of();
        }
        List<EventRecord> closes = new ArrayList<>();
        List<String> said = new ArrayList<>();
        for (TaggedProcess b : browsers) {
            long pid = b.pid();
            closes.add(Events.browserClosed(now, b.pod(), b.profileId(), null, Params.builder()
                    .put(EventParams.REASON, LEFT_BROWSER_STOPPED).put(EventParams.PID, pid)
                    .put(EventParams.FORCED, true).build()));
            said.add(b.profileId() + " (pid " + pid + ")");
        }
        deps.diagnostics().accept("stopped " + browsers.size() + " browser(s) a previous runner left: "
                + String.join(", ", said));
        return closes;
    }

    private boolean kept(TaggedProcess p) {
        return RunTag.of(p.sessionId()) == RunTag.BROWSER && keptBrowsers.contains(p.profileId());
    }

    /**
     * How far back the log may hold a {@code start} whose rows never reached the store: the
     * newest session instant the store recorded (a profile's last start or end). Those are
     * written only by a runner's loop, whose every store write carries all rows still pending
     * (so once one succeeds, the rows of every start logged before it are in the store), or by
     * this reconciliation, which closes such starts in that same write. Each instant is the
     * wall-clock time of a decision taken no later than its write, so every start logged after
     * that write carries that instant or a later one. Not {@code pausedAt}: a pause by hand with
     * no runner running writes it without those pending rows. Null (none recorded): the whole
     * log. A wall clock set back below it hides such starts (they stay open, as before).
     */
    private static Instant storeInSyncSince(Map<String, ProfileState> stored) {
        return stored.values().stream()
                .flatMap(p -> Stream.of(p.lastStartedAt(), p.lastFinishedAt()))
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    }

    /**
     * A session whose {@code start} is in the log but whose row is not in the store (it failed
     * while the log did not): its launch waited for that row, so it never ran, and it is closed
     * as lost here, once; its {@code error} in the log keeps it from being found again.
     */
    private static SessionRecord neverLaunched(EventRecord start) {
        return new SessionRecord(start.sessionId(), start.profileId(), start.pod(), 0, 0, 0, start.ts(),
                SessionRecord.Status.RUNNING, null, null, null);
    }

    private static List<SessionToStop> toStop(java.util.Collection<SessionRecord> sessions) {
        return sessions.stream().map(s -> new SessionToStop(s.pid(), s.pidStartTicks(), s.sessionId())).toList();
    }

    private List<TaggedProcess> unrecordedOrphans(Set<String> recorded) {
        return deps.processTable().unrecorded(deps.store().runnerId(), recorded);
    }

    private static ProfileState notRunning(ProfileState s) {
        return new ProfileState(s.profileId(), s.pod(), s.errorStreak(), false, s.needsRecovery(), s.paused(),
                s.pausedUntil(), s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(),
                s.pauseCount(), s.pausedAt());
    }
}
