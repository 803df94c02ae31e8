package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventLogShape;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.event.Redactor;
import io.smartrunner.fleet.RelayedControls;
import io.smartrunner.http.ControlQueued;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.ProfileChange;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.time.TimeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The control commands when no runner is running: the same rules and events as the runner's, written
 * straight to the event log and the state store while holding the data dir's lock, so a runner
 * that starts meanwhile waits for nothing and finds a consistent state (event first, then state).
 * In cluster mode the profile may still be held by a runner elsewhere: the row is written only
 * while no live runner holds its lease (checked and written in one transaction, the lease row
 * locked); a profile a live runner holds gets the control through the {@code controls} table, and
 * that runner applies and records it, as its API does for a profile held elsewhere.
 */
final class OfflineControl {
    /** Profiles per transaction in cluster mode (their lease rows are locked together). */
    static final int FLEET_BATCH = 500;

    private OfflineControl() {
    }

    /** The profile's state after the control, and how it got there (said after it). */
    record Outcome(ProfileState state, String how) {
    }

    /**
     * One request's outcome among several: its outcome, or why it was refused (never both);
     * {@code queued}: the refusal is a control queued for the profile's holder, not applied yet.
     */
    record Result(ManualRequest request, Outcome outcome, String refusal, boolean queued) {
        Result(ManualRequest request, Outcome outcome, String refusal) {
            this(request, outcome, refusal, false);
        }
    }

    /**
     * @param lock held by the caller: proves no runner is running on this data dir
     * @throws SmartRunnerException exit 2 for a profile that is not configured, 1 for a refusal
     */
    static Outcome apply(RunnerConfig cfg, DataDirLock lock, ManualRequest request) {
        List<Result> done = new ArrayList<>();
        applyAll(cfg, lock, List.of(request), done::add);
        Result r = done.get(0);
        if (r.refusal() != null) {
            throw r.queued() ? ControlRefused.queued(r.refusal()) : new ControlRefused(r.refusal());
        }
        return r.outcome();
    }

    /**
     * The requests in their order; a refused one changes nothing and the others go on. With SQLite
     * all of them in one go: every accepted one's events appended and fsynced together, then their
     * rows in one transaction (event first, then state, as for one), so pausing a pod of a thousand
     * profiles opens the store once. In cluster mode in batches of up to {@link #FLEET_BATCH}
     * profiles: each batch's profiles no live runner holds are written in one transaction (their
     * lease rows decide, locked), their events appended to the data dir's log inside it, before
     * the rows; the ones a live runner holds are relayed to it together and waited for at once;
     * each batch told to {@code each} as it is done, so a failure half-way leaves the ones before
     * it said (reviewer R3, session 41: a pod of 3 000 took a transaction, and first a connection
     * pool, per profile, and a failure at the 600th said none of them).
     *
     * @throws SmartRunnerException exit 2 for a profile that is not configured (before anything is
     *                              done), 1 for a store or log that cannot be written
     */
    static void applyAll(RunnerConfig cfg, DataDirLock lock, List<ManualRequest> requests,
                         java.util.function.Consumer<Result> each) {
        List<ProfileConfig> profiles = requests.stream().map(r -> configured(cfg, r.profileId())).toList();
        RunnerSettings r = cfg.runner();
        if (cfg.store().kind() == StoreSettings.Kind.POSTGRES) {
            try (PostgresStateStore store = RunnerHome.postgres(cfg)) {
                for (int from = 0; from < requests.size(); ) {
                    // a profile asked twice goes in the next batch, after its first change
                    java.util.Set<String> ids = new java.util.HashSet<>();
                    int to = from;
                    while (to < requests.size() && to - from < FLEET_BATCH && ids.add(requests.get(to).profileId())) {
                        to++;
                    }
                    inFleet(cfg, store, requests.subList(from, to), profiles.subList(from, to), each);
                    from = to;
                }
            }
            return;
        }
        EventLogShape.require(r.eventLog()); // before the store is opened (and created): refused, nothing is written
        // as run does: a row written into a zero-byte or missing store would make it look whole, and
        // the next start would not rebuild it, forgetting every other profile's pause in the log
        RunnerHome.rebuildIfLost(r);
        refuseToUpgrade(RunnerHome.stateFile(r));
        try (StateStore store = RunnerHome.openSqlite(r, RunCommand::say);
             JsonlEventSink events = eventLog(r)) {
            Map<String, ProfileState> states = new HashMap<>(store.loadProfiles());
            Redactor redactor = new Redactor(cfg.secretValues());
            ProfileRules rules = rules(cfg);
            List<Result> results = new ArrayList<>();
            List<ProfileState> changed = new ArrayList<>();
            List<EventRecord> recorded = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                ManualRequest request = requests.get(i);
                ProfileConfig profile = profiles.get(i);
                ProfileState state = states.getOrDefault(profile.id(), ProfileState.fresh(profile.id(), profile.pod()));
                Transition t;
                try {
                    t = transition(rules, state, request, cfg, TimeSource.system().now());
                } catch (ControlRefused e) {
                    results.add(new Result(request, null, e.getMessage()));
                    continue;
                }
                t.events().stream().map(redactor::redact).forEach(recorded::add);
                changed.add(t.state());
                states.put(profile.id(), t.state()); // a profile asked twice sees its first change
                results.add(new Result(request, new Outcome(t.state(), "no runner running: written to the state store"), null));
            }
            events.append(recorded);
            // fsynced before the state is written and success is reported: a change whose event
            // is not durable is reported as failed and leaves the state store as it was
            events.close();
            if (!changed.isEmpty()) {
                store.write(new StateWrite(changed, List.of()));
            }
            results.forEach(each);
        }
    }

    private static ProfileConfig configured(RunnerConfig cfg, String profileId) {
        return cfg.profiles().stream().filter(p -> p.id().equals(profileId)).findFirst()
                .orElseThrow(() -> new SmartRunnerException("no profile " + profileId + " in " + cfg.source(), null, 2));
    }

    /**
     * One batch in cluster mode (at most one request per profile): the unheld profiles' changes in one
     * transaction, said in the order asked; then the held ones' controls, relayed together.
     */
    /** A store of an older release is upgraded by this release's runner, never by a control command (reviewer R19). */
    private static void refuseToUpgrade(java.nio.file.Path db) {
        if (!java.nio.file.Files.isRegularFile(db)) {
            return;
        }
        java.util.OptionalInt older = io.smartrunner.store.SqliteStateStore.olderSchema(db);
        if (older.isPresent()) {
            throw new SmartRunnerException(db + ": schema version " + older.getAsInt() + " is older than this"
                    + " release's, and no runner is running: written here, a control would upgrade the store for"
                    + " good and the older release could no longer open it. Start this release's runner once to"
                    + " upgrade it (docs/operations.md), or use the older release's CLI");
        }
    }

    private static void inFleet(RunnerConfig cfg, PostgresStateStore store, List<ManualRequest> requests,
                                List<ProfileConfig> profiles, java.util.function.Consumer<Result> each) {
        String via = cfg.runner().name() != null ? cfg.runner().name() : store.runnerName();
        // in the fleet's events, as a relayed control's: who asked, from which runner's configuration
        List<ManualRequest> asked = requests.stream().map(r -> r.askedBy(r.by() + "@" + via)).toList();
        Map<String, ManualRequest> byId = new HashMap<>();
        Map<String, ProfileConfig> configs = new HashMap<>();
        for (int i = 0; i < asked.size(); i++) {
            byId.put(asked.get(i).profileId(), asked.get(i));
            configs.put(asked.get(i).profileId(), profiles.get(i));
        }
        Map<String, Result> written = new HashMap<>();
        Instant now = store.databaseNow(); // the cluster's clock: the runners date pauses by it too
        ProfileRules rules = rules(cfg);
        Redactor redactor = new Redactor(cfg.secretValues());
        // the events' writer in the fleet's table is the command, never the data dir's runner (whose
        // start would copy them into its log a second time); the local log is opened only to be
        // written: a control relayed to the holder is that runner's to record
        Map<String, String> held = store.changeEachUnlessHeld(List.copyOf(byId.keySet()), cfg.cluster().leaseTtlMs(),
                asked.get(0).by(), (id, row) -> {
                    ManualRequest request = byId.get(id);
                    ProfileConfig profile = configs.get(id);
                    Transition t;
                    try {
                        t = transition(rules, row != null ? row : ProfileState.fresh(id, profile.pod()), request, cfg, now);
                    } catch (ControlRefused e) {
                        written.put(id, new Result(request, null, e.getMessage()));
                        return null;
                    }
                    written.put(id, new Result(request,
                            new Outcome(t.state(), "no runner holds it: written to the database"), null));
                    return new ProfileChange(t.state(), t.events().stream().map(redactor::redact).toList());
                }, changes -> {
                    try (JsonlEventSink events = eventLog(cfg.runner())) {
                        events.append(changes.stream().flatMap(c -> c.events().stream()).toList());
                        // fsynced (closed) before the rows are written and success is reported: a change whose
                        // event is not durable is reported as failed and leaves the database as it was
                    }
                });
        written.keySet().removeAll(held.keySet()); // found locked after all: nothing was written for them
        List<ManualRequest> relay = new ArrayList<>();
        for (ManualRequest request : asked) {
            Result r = written.get(request.profileId());
            if (r != null) {
                each.accept(r);
            } else {
                relay.add(request);
            }
        }
        if (relay.isEmpty()) {
            return;
        }
        RelayedControls relayed = new RelayedControls(store.controls(),
                store.fleetProfiles(cfg.cluster().leaseTtlMs()), TimeSource.system());
        for (RelayedControls.Relayed r : relayed.relayAll(relay)) {
            each.accept(relayedResult(r, held.get(r.request().profileId())));
        }
    }

    /** A relayed control's line: applied or refused by the holder, or still queued (exit 1). */
    private static Result relayedResult(RelayedControls.Relayed r, String holder) {
        String id = r.request().profileId();
        if (r.failure() instanceof ControlQueued) {
            // exit 1: the change is not in effect, though it will be (a script must not assume it is)
            return new Result(r.request(), null, "runner " + holder + " holds " + id + " but has not applied the"
                    + " control yet; it stays queued (control " + r.seq() + ") for whichever runner holds " + id, true);
        }
        if (r.failure() != null) {
            throw r.failure();
        }
        ManualReply reply = r.reply();
        if (reply.outcome() == ManualReply.Outcome.UNKNOWN_PROFILE) {
            throw new SmartRunnerException(reply.refusal(), null, 2);
        }
        if (reply.outcome() == ManualReply.Outcome.REFUSED) {
            return new Result(r.request(), null, reply.refusal());
        }
        if (reply.outcome() != ManualReply.Outcome.DONE) { // the holder could not record it: not one profile's answer
            throw new SmartRunnerException(reply.refusal());
        }
        return new Result(r.request(), new Outcome(reply.state(), "applied by runner " + holder + ", which holds it"), null);
    }

    /** The data dir's own event log, as a command with no runner writes it (rotation included). */
    static JsonlEventSink eventLog(RunnerSettings r) {
        return JsonlEventSink.open(r.eventLog(), r.eventLogFsync(), r.eventLogFsyncIntervalMs())
                .rotateAt(r.eventLogMaxBytes(), r.eventLogKeep(), RunCommand::say);
    }

    /** The control's transition from {@code s}; a refusal by the profile's state is thrown as {@link ControlRefused}. */
    private static Transition transition(ProfileRules rules, ProfileState s, ManualRequest request, RunnerConfig cfg,
                                         Instant now) {
        if (!(request instanceof ManualRequest.StateChange change)) {
            throw new SmartRunnerException("no runner is running (" + cfg.runner().dataDir()
                    + " is not locked): start one with 'smart-runner run' first");
        }
        String refusal = change.refusal(s, now);
        if (refusal != null) {
            throw new ControlRefused(refusal);
        }
        return change.apply(rules, s, now);
    }

    private static ProfileRules rules(RunnerConfig cfg) {
        return new ProfileRules(PausePolicy.from(cfg.recovery()));
    }
}
