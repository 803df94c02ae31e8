package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.time.TimeSource;
import java.util.List;

/**
 * The control commands when no runner is running: the same rules and events as the runner's, written
 * straight to the event log and the state store while holding the data dir's lock, so a runner
 * that starts meanwhile waits for nothing and finds a consistent state (event first, then state).
 */
final class OfflineControl {
    private OfflineControl() {
    }

    /**
     * @param lock held by the caller: proves no runner is running
     * @return the profile's new state
     * @throws SmartRunnerException exit 2 for a profile that is not configured, 1 for a refusal
     */
    static ProfileState apply(RunnerConfig cfg, DataDirLock lock, ManualRequest request) {
        ProfileConfig profile = cfg.profiles().stream().filter(p -> p.id().equals(request.profileId())).findFirst()
                .orElseThrow(() -> new SmartRunnerException("no profile " + request.profileId() + " in "
                        + cfg.source(), null, 2));
        RunnerSettings r = cfg.runner();
        try (StateStore store = cfg.store().kind() == StoreSettings.Kind.POSTGRES ? RunnerHome.postgres(cfg)
                : SqliteStateStore.open(RunnerHome.stateFile(r), r.sqliteSynchronous(), RunCommand::say);
             JsonlEventSink events = JsonlEventSink.open(r.eventLog(), r.eventLogFsync(), r.eventLogFsyncIntervalMs())
                     .rotateAt(r.eventLogMaxBytes(), r.eventLogKeep(), RunCommand::say)) {
            ProfileState state = store.loadProfiles().getOrDefault(profile.id(), ProfileState.fresh(profile.id(), profile.pod()));
            Transition t = transition(cfg, state, request);
            Redactor redactor = new Redactor(cfg.secretValues());
            events.append(t.events().stream().map(redactor::redact).toList());
            // fsynced before the state is written and success is reported: a change whose event
            // is not durable is reported as failed and leaves the state store as it was
            events.close();
            store.write(new StateWrite(List.of(t.state()), List.of()));
            return t.state();
        }
    }

    private static Transition transition(RunnerConfig cfg, ProfileState s, ManualRequest request) {
        if (!(request instanceof ManualRequest.StateChange change)) {
            throw new SmartRunnerException("no runner is running (" + cfg.runner().dataDir()
                    + " is not locked): start one with 'smart-runner run' first");
        }
        String refusal = change.refusal(s);
        if (refusal != null) {
            throw new SmartRunnerException(refusal);
        }
        return change.apply(new ProfileRules(PausePolicy.from(cfg.recovery())), s, TimeSource.system().now());
    }
}
