package io.smartrunner.engine;

import io.smartrunner.cluster.LeaseHandoff;
import io.smartrunner.cluster.ProfileLeases;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.TakeoverRows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The loop's side of the profile leases (cluster mode, docs/cluster-leases.md): takes newly
 * acquired leases on (the profile's state becomes the database's; sessions the previous holder
 * left open get their one {@code lost} event, or none when the fleet's event table already has
 * their end), gives idle ones back when asked, and each turn stops the sessions and recovery
 * episodes of profiles it may no longer run (self-fencing past the renew deadline, or a lease
 * lost). With {@link ProfileLeases#single()} it does nothing. Loop thread only.
 */
final class LeaseDuty {
    static final String LOST_DETAIL = "the runner holding the profile's lease stopped renewing it while the session"
            + " was running; closed by the runner that took the lease over";
    static final String LEASE_LOST = "this runner no longer holds the profile's lease";

    private final ProfileLeases leases;
    private final Map<String, ProfileSlot> slots;
    private final ProfileRules rules;
    private final TransitionApplier applier;
    private final PendingWrites pending;
    private final RecoveryCoordinator recovery;
    private final SessionLifecycle sessions;
    private final DurableWrites writes;
    private final Consumer<String> diagnostics;
    private final PlacementRule placement;
    /** This runner's own log, for sessions it left open itself (a lease taken back after its restart). */
    private final EndedInLog endedInLog;
    /** This runner's name in the database's rows (the lease's previous holder when it was this runner). */
    private final String identity;
    private boolean fencedSaid;
    /**
     * Profiles the keeper wants back that were busy when it asked: none of them starts again, so
     * each is idle (and given back) at a later ask. Emptied by every ask.
     */
    private final java.util.Set<String> releasing = new java.util.HashSet<>();

    LeaseDuty(ProfileLeases leases, Map<String, ProfileSlot> slots, ProfileRules rules, TransitionApplier applier,
              PendingWrites pending, RecoveryCoordinator recovery, SessionLifecycle sessions, DurableWrites writes,
              Consumer<String> diagnostics, PlacementRule placement, EndedInLog endedInLog, String identity) {
        this.placement = placement;
        this.endedInLog = endedInLog;
        this.identity = identity;
        this.leases = leases;
        this.slots = slots;
        this.rules = rules;
        this.applier = applier;
        this.pending = pending;
        this.recovery = recovery;
        this.sessions = sessions;
        this.writes = writes;
        this.diagnostics = diagnostics;
    }

    /** Connects the keeper to the loop's inbox and tells it the configured profiles. */
    void attach(LoopInbox inbox) {
        if (!leases.clustered()) {
            placement.plan(slots.values()); // SQLite: only which profiles never start here (runOn)
            return;
        }
        leases.attach(new LeaseHandoff() {
            @Override
            public void acquired(List<PostgresLeases.Acquired> acquired) {
                inbox.add(new Message.LeasesAcquired(acquired));
            }

            @Override
            public CompletableFuture<List<String>> giveBack(List<String> profileIds, int count) {
                return inbox.ask(reply -> new Message.GiveBack(profileIds, count, reply));
            }

            @Override
            public CompletableFuture<Map<String, List<Integer>>> giveBackSlots(Map<String, Integer> counts) {
                return inbox.ask(reply -> new Message.GiveBackSlots(counts, reply));
            }

            @Override
            public void slotsAcquired() {
                inbox.add(new Message.Wake());
            }
        });
        configured();
    }

    /** After start-up and each reload: the profiles leases are taken for (the ones this runner's labels fit). */
    void configured() {
        io.smartrunner.cluster.Placement plan = placement.plan(slots.values());
        if (leases.clustered()) {
            leases.configured(plan);
        }
    }

    /** Each turn: sessions and episodes of profiles this runner may no longer run are stopped. */
    void enforce() {
        if (!leases.clustered()) {
            return;
        }
        String fenced = leases.fenced();
        int stopped = 0;
        for (ProfileSlot slot : slots.values()) {
            if (leases.mayRun(slot.id())) {
                continue;
            }
            if (slot.active != null && slot.active.stopping == null) {
                long graceMs = Math.min(slot.config.session().stopGraceMs(), leases.fenceGraceMs());
                sessions.stop(slot, FailureReason.SHUTDOWN, fenced != null ? fenced : LEASE_LOST, graceMs);
                stopped++;
            }
            if (recovery.inRecovery(slot.id())) {
                recovery.cancel(slot.id());
            }
            recovery.forget(slot.id());
        }
        if (fenced != null && !fencedSaid) {
            fencedSaid = true;
            diagnostics.accept(fenced + " (stopping " + stopped + " session(s))");
        } else if (fenced == null) {
            fencedSaid = false;
        }
    }

    /**
     * The keeper acquired these leases: each profile is taken on with the database's view of it.
     * Leases whose holder had stopped renewing them are a takeover, said on stderr and in a
     * {@code takeover} event per previous holder, before the {@code lost} ends of its sessions.
     */
    void acquired(List<PostgresLeases.Acquired> acquired, long nowNanos, Instant now) {
        Map<String, List<PostgresLeases.Acquired>> takenFrom = new java.util.TreeMap<>();
        for (PostgresLeases.Acquired a : acquired) {
            ProfileSlot slot = slots.get(a.profileId());
            if (slot != null && !slot.removed && a.previousIncarnation() != null) {
                takenFrom.computeIfAbsent(a.previousRunner(), k -> new ArrayList<>()).add(a);
            }
        }
        takenFrom.forEach((from, taken) -> tookOver(from, taken, now));
        for (PostgresLeases.Acquired a : acquired) {
            ProfileSlot slot = slots.get(a.profileId());
            if (slot == null || slot.removed) {
                leases.refused(a.profileId());
                continue;
            }
            if (slot.active == null && slot.spawning == null && slot.staged == null) {
                takeOver(slot, a, now);
            } // else: this runner's own session of an earlier epoch is still ending, and its state is the newest
            leases.taken(a.profileId(), a.epoch()); // before the flush: the writes above carry the new epoch
            ProfileState s = slot.state;
            if (s.needsRecovery() && !s.paused() && s.lastSessionId() != null && !recovery.inRecovery(slot.id())) {
                recovery.begin(slot, s.lastSessionId(), now, nowNanos);
            }
        }
    }

    /** One {@code takeover} event and one line for the leases taken from one runner that stopped renewing them. */
    private void tookOver(String from, List<PostgresLeases.Acquired> taken, Instant now) {
        List<String> ids = taken.stream().map(PostgresLeases.Acquired::profileId).toList();
        int open = taken.stream().mapToInt(a -> a.openSessions().size()).sum();
        pending.add(List.of(Events.takenOver(now, from, ids, open)), null, null);
        boolean own = identity != null && identity.equals(taken.get(0).previousHolder());
        diagnostics.accept((own ? "took back " + ids.size() + " profile lease(s) this runner's earlier run held"
                : "took over " + ids.size() + " profile lease(s) from runner " + from)
                + ", which stopped renewing them" + (open == 0 ? "" : " (" + open + " session(s) it ran closed here)")
                + ": " + Events.listed(ids, 5));
    }

    private void takeOver(ProfileSlot slot, PostgresLeases.Acquired a, Instant now) {
        ProfileState state = a.row() != null ? a.row() : ProfileState.fresh(slot.id(), slot.pod());
        if (!state.pod().equals(slot.pod())) {
            state = state.withPod(slot.pod());
        }
        List<EventRecord> events = new ArrayList<>();
        List<SessionRecord> rows = new ArrayList<>();
        Map<String, EventRecord> endedHere = endedInOwnLog(a);
        for (TakeoverRows.OpenSession o : a.openSessions()) {
            SessionRecord s = o.row();
            EventRecord ownEnd = endedHere.get(s.sessionId());
            SessionResult ended = ownEnd != null ? CrashReconciler.resultOf(ownEnd) : endedInFleet(o);
            if (ended != null) {
                // its end is already recorded, in this runner's own log (killed before the end reached the
                // database) or in the fleet's events (a taker died before closing the row): the row takes
                // that end, with no second event
                state = rules.sessionEnded(state, s.sessionId(), ended, now).state();
                rows.add(s.ended(ended.succeeded() ? SessionRecord.Status.FINISHED : SessionRecord.Status.FAILED, now,
                        ended.succeeded() ? null : ended.reason().wireName(), ownEnd != null ? ended.exitCode() : null));
                continue;
            }
            Long durMs = s.startedAt() == null ? null : Math.max(0, Duration.between(s.startedAt(), now).toMillis());
            SessionResult lost = new SessionResult(FailureReason.LOST, null, null, LOST_DETAIL, "", durMs);
            Transition t = rules.sessionEnded(state, s.sessionId(), lost, now);
            state = t.state();
            events.addAll(t.events());
            rows.add(s.ended(SessionRecord.Status.FAILED, now, FailureReason.LOST.wireName(), null));
        }
        if (state.running()) {
            state = notRunning(state);
        }
        applier.record(slot, new Transition(state, events), null);
        rows.forEach(r -> pending.add(List.of(), null, r));
    }

    /** The end the fleet's events already hold for this open session, or null. */
    private static SessionResult endedInFleet(TakeoverRows.OpenSession o) {
        if (o.endedAs() == null) {
            return null;
        }
        return "finish".equals(o.endedAs()) ? SessionResult.success(0)
                : new SessionResult(reasonOf(o.endReason()), null, null, null, "", null);
    }

    /**
     * The ends in this runner's own log of the sessions it left open itself: a lease taken back by
     * the runner that held it before (same data dir, restarted) whose finish was in its log but not
     * yet in the fleet's events. Other runners' sessions are never in this log, so it is not read for them.
     */
    private Map<String, EventRecord> endedInOwnLog(PostgresLeases.Acquired a) {
        if (identity == null || !identity.equals(a.previousHolder())) {
            return Map.of();
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (TakeoverRows.OpenSession o : a.openSessions()) {
            if (o.endedAs() == null) {
                ids.add(o.row().sessionId());
            }
        }
        return ids.isEmpty() ? Map.of() : endedInLog.terminalEvents(ids);
    }

    /** Whether the profile is kept from starting because the keeper wants its lease back. */
    boolean releasing(String profileId) {
        return !releasing.isEmpty() && releasing.contains(profileId);
    }

    /**
     * Gives back up to {@code count} idle profiles, once everything pending about them is written;
     * as many busy ones as are missing start no new session until the next ask (count 0: none).
     */
    List<String> giveBack(List<String> profileIds, int count) {
        releasing.clear();
        if (count <= 0) {
            return List.of();
        }
        if (!writes.flush(true)) {
            return List.of(); // keep them until their rows can be written: the keeper asks again
        }
        List<String> given = new ArrayList<>();
        for (String id : profileIds) {
            ProfileSlot slot = slots.get(id);
            if (given.size() >= count) {
                break;
            }
            if (slot == null) { // removed by a reload and already dropped: nothing of it runs here
                leases.dropped(id);
                given.add(id);
            } else if (slot.active == null && slot.spawning == null && slot.staged == null
                    && !recovery.inRecovery(id)) {
                leases.dropped(id);
                given.add(id);
            }
        }
        for (String id : profileIds) {
            if (given.size() + releasing.size() >= count) {
                break;
            }
            if (!given.contains(id) && slots.containsKey(id)) {
                releasing.add(id);
            }
        }
        return given;
    }

    private static FailureReason reasonOf(String wire) {
        try {
            return FailureReason.valueOf(String.valueOf(wire).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return FailureReason.EXIT;
        }
    }

    private static ProfileState notRunning(ProfileState s) {
        return new ProfileState(s.profileId(), s.pod(), s.errorStreak(), false, s.needsRecovery(), s.paused(),
                s.pausedUntil(), s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(),
                s.pauseCount(), s.pausedAt());
    }
}
