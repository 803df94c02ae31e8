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
import java.util.Optional;

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
    private OfflineControl() {
    }

    /** The profile's state after the control, and how it got there (said after it). */
    record Outcome(ProfileState state, String how) {
    }

    /** One request's outcome among several: its outcome, or why it was refused (never both). */
    record Result(ManualRequest request, Outcome outcome, String refusal) {
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
            throw new ControlRefused(r.refusal());
        }
        return r.outcome();
    }

    /**
     * The requests in their order; a refused one changes nothing and the others go on. With SQLite
     * all of them in one go: every accepted one's events appended and fsynced together, then their
     * rows in one transaction (event first, then state, as for one), so pausing a pod of a thousand
     * profiles opens the store once. In cluster mode each profile on its own (its lease row decides),
     * on one connection pool, each told to {@code each} as it is done: a failure half-way leaves the
     * ones before it said (reviewer R3: a pod of 3 000 opened a pool per profile, 7 a second, and a
     * failure at the 600th said none of them).
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
                for (int i = 0; i < requests.size(); i++) {
                    Result result;
                    try {
                        result = new Result(requests.get(i), inFleet(cfg, store, profiles.get(i), requests.get(i)), null);
                    } catch (ControlRefused e) {
                        result = new Result(requests.get(i), null, e.getMessage());
                    }
                    each.accept(result);
                }
            }
            return;
        }
        EventLogShape.require(r.eventLog()); // before the store is opened (and created): refused, nothing is written
        // as run does: a row written into a zero-byte or missing store would make it look whole, and
        // the next start would not rebuild it, forgetting every other profile's pause in the log
        RunnerHome.rebuildIfLost(r);
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

    private static Outcome inFleet(RunnerConfig cfg, PostgresStateStore store, ProfileConfig profile,
                                   ManualRequest request) {
        String via = cfg.runner().name() != null ? cfg.runner().name() : store.runnerName();
        // in the fleet's events, as a relayed control's: who asked, from which runner's configuration
        ManualRequest asked = request.askedBy(request.by() + "@" + via);
        ProfileChange[] written = {null};
        Instant now = store.databaseNow(); // the cluster's clock: the runners date pauses by it too
        // the events' writer in the fleet's table is the command, never the data dir's runner (whose
        // start would copy them into its log a second time); the local log is opened only to be
        // written: a control relayed to the holder is that runner's to record
        Optional<String> holder = store.changeUnlessHeld(profile.id(), cfg.cluster().leaseTtlMs(), asked.by(),
                row -> written[0] = recorded(cfg, row != null ? row : ProfileState.fresh(profile.id(), profile.pod()),
                        asked, now, eventLog(cfg.runner())));
        if (holder.isEmpty()) {
            return new Outcome(written[0].state(), "no runner holds it: written to the database");
        }
        RelayedControls relayed = new RelayedControls(store.controls(),
                store.fleetProfiles(cfg.cluster().leaseTtlMs()), TimeSource.system());
        long seq = relayed.send(asked, asked.by());
        ManualReply reply;
        try {
            reply = relayed.awaitApplied(seq, profile.id());
        } catch (ControlQueued e) {
            // exit 1: the change is not in effect, though it will be (a script must not assume it is)
            throw new ControlRefused("runner " + holder.get() + " holds " + profile.id() + " but has not applied the"
                    + " control yet; it stays queued (control " + seq + ") for whichever runner holds " + profile.id());
        }
        if (reply.outcome() == ManualReply.Outcome.UNKNOWN_PROFILE) {
            throw new SmartRunnerException(reply.refusal(), null, 2);
        }
        if (reply.outcome() == ManualReply.Outcome.REFUSED) {
            throw new ControlRefused(reply.refusal());
        }
        if (reply.outcome() != ManualReply.Outcome.DONE) { // the holder could not record it: not one profile's answer
            throw new SmartRunnerException(reply.refusal());
        }
        return new Outcome(reply.state(), "applied by runner " + holder.get() + ", which holds it");
    }

    /** The data dir's own event log, as a command with no runner writes it (rotation included). */
    static JsonlEventSink eventLog(RunnerSettings r) {
        return JsonlEventSink.open(r.eventLog(), r.eventLogFsync(), r.eventLogFsyncIntervalMs())
                .rotateAt(r.eventLogMaxBytes(), r.eventLogKeep(), RunCommand::say);
    }

    /**
     * The control's transition, its events appended and fsynced (closing {@code events}, which it
     * owns): the state to write once they are durable.
     */
    private static ProfileChange recorded(RunnerConfig cfg, ProfileState state, ManualRequest request, Instant now,
                                          JsonlEventSink events) {
        try (events) {
            Transition t = transition(rules(cfg), state, request, cfg, now);
            Redactor redactor = new Redactor(cfg.secretValues());
            List<EventRecord> redacted = t.events().stream().map(redactor::redact).toList();
            events.append(redacted);
            // fsynced before the state is written and success is reported: a change whose event
            // is not durable is reported as failed and leaves the state store as it was
            events.close();
            return new ProfileChange(t.state(), redacted);
        }
    }

    /** The control's transition from {@code s}; a refusal by the profile's state is thrown as {@link ControlRefused}. */
    private static Transition transition(ProfileRules rules, ProfileState s, ManualRequest request, RunnerConfig cfg,
                                         Instant now) {
        if (!(request instanceof ManualRequest.StateChange change)) {
            throw new SmartRunnerException("no runner is running (" + cfg.runner().dataDir()
                    + " is not locked): start one with 'smart-runner run' first");
        }
        String refusal = change.refusal(s);
        if (refusal != null) {
            throw new ControlRefused(refusal);
        }
        return change.apply(rules, s, now);
    }

    private static ProfileRules rules(RunnerConfig cfg) {
        return new ProfileRules(PausePolicy.from(cfg.recovery()));
    }
}
