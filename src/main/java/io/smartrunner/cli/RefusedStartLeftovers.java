package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.ProcessTable.SessionToStop;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.StateStore;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code run} refused its configuration just after a runner on the same data dir died (a program
 * that went missing in a deploy): nothing would supervise that runner's sessions until a
 * configuration loads, and they ran on, their logs unrotated (a child writing fast filled 1.7 GB).
 * Their processes are stopped here as the next start would stop them; no event is written (the
 * configuration that names the event log was refused): the next start that runs closes each as
 * {@code lost}, as after any crash. Only with the data dir free (no runner alive on it), a SQLite
 * store that exists, and a configuration that loads apart from its programs; otherwise nothing.
 */
final class RefusedStartLeftovers {
    private RefusedStartLeftovers() {
    }

    static void stop(ConfigOption option, Consumer<String> say) {
        RunnerConfig inspected;
        try {
            inspected = option.loadToInspect();
        } catch (RuntimeException e) {
            return; // not even the data dir is known
        }
        if (inspected.store().kind() != StoreSettings.Kind.SQLITE
                || !Files.isRegularFile(RunnerHome.stateFile(inspected.runner()))) {
            return; // cluster mode: the watchdog outside the JVM stopped them when the runner died
        }
        try (DataDirLock lock = DataDirLock.tryAcquire(inspected.runner().dataDir())) {
            if (lock == null) {
                return; // a runner is alive on it: its sessions are supervised
            }
            try (StateStore store = RunnerHome.openStore(inspected)) {
                ProcessTable table = new ProcFsProcessTable();
                if (RunRecord.stillRunning(inspected.runner().dataDir()).isPresent()
                        || table.liveRunnerTagging(store.runnerId()).isPresent()) {
                    return; // a copy of a live runner's data dir: those are its sessions (RunnerHome.refuseACopyInUse)
                }
                List<SessionToStop> stops = new ArrayList<>();
                Set<String> recorded = new HashSet<>();
                for (SessionRecord s : store.openSessions()) {
                    recorded.add(s.sessionId());
                    stops.add(new SessionToStop(s.pid(), s.pidStartTicks(), s.sessionId()));
                }
                for (ProcessTable.TaggedProcess p : table.unrecorded(store.runnerId(), recorded)) {
                    stops.add(new SessionToStop(p.pid(), p.startTicks(), p.sessionId()));
                }
                Duration grace = Duration.ofMillis(inspected.session().stopGraceMs());
                int signalled = stops.isEmpty() ? 0 : table.stopSessions(stops, grace);
                signalled += table.stopEscaped(store.runnerId(), p -> false, grace);
                if (signalled > 0) {
                    say.accept("stopped " + signalled + " process(es) of the " + stops.size() + " session(s) the runner"
                            + " before this one left running on " + inspected.runner().dataDir() + ": nothing"
                            + " supervises them while the configuration is refused (below); the next start records"
                            + " them as lost");
                }
            }
        } catch (SmartRunnerException e) {
            say.accept("could not stop what the runner before this one left running on "
                    + inspected.runner().dataDir() + ": " + e.getMessage());
        }
    }
}
