package io.smartrunner.engine;

import io.smartrunner.admission.HostPressure;
import io.smartrunner.event.EventRecord;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.event.EventSink;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.recovery.RecoveryActions;
import io.smartrunner.store.StateStore;
import io.smartrunner.time.TimeSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What the supervisor needs from the outside world, injected so tests can drive it with a
 * manual clock and a fake launcher.
 *
 * @param logDir      where per-profile session logs go
 * @param listener    told about events once they are in the log (the trial command prints them)
 * @param diagnostics one-line messages for the operator (the runner's stderr)
 * @param spawner     runs launches off the loop thread (tests pass a direct executor)
 * @param recoveryActions performs recovery steps and health checks
 * @param browsers    opens each profile's browser before its sessions; {@link BrowserProvider#none()} when
 *                    browser.provider is none (null is taken as none)
 * @param endedInLog  finds sessions that already ended in the event log (crash reconciliation)
 * @param hostPressure reads free memory and load for admission control; {@link HostPressure#none()} (never
 *                    under pressure) where not given (null is taken as none)
 * @param browserWork opens, recycles and stops profiles' browsers off the loop thread, apart from
 *                    {@code spawner}: a browser open may take its whole start timeout (30 s by
 *                    default), and a few profiles whose browsers hang must not hold every other
 *                    profile's spawn; {@code spawner} where not given (null is taken as that)
 */
public record SupervisorDeps(
        StateStore store,
        EventSink eventSink,
        ProcessLauncher launcher,
        ProcessTable processTable,
        TimeSource time,
        Random random,
        Path logDir,
        Consumer<List<EventRecord>> listener,
        Consumer<String> diagnostics,
        Executor spawner,
        RecoveryActions recoveryActions,
        BrowserProvider browsers,
        EndedInLog endedInLog,
        HostPressure hostPressure,
        Executor browserWork) {

    public SupervisorDeps {
        browsers = browsers == null ? BrowserProvider.none() : browsers;
        hostPressure = hostPressure == null ? HostPressure.none() : hostPressure;
        browserWork = browserWork == null ? spawner : browserWork;
    }

    /** Browser work on the spawner's threads (tests that have no browser, or want one pool). */
    public SupervisorDeps(StateStore store, EventSink eventSink, ProcessLauncher launcher, ProcessTable processTable,
                          TimeSource time, Random random, Path logDir, Consumer<List<EventRecord>> listener,
                          Consumer<String> diagnostics, Executor spawner, RecoveryActions recoveryActions,
                          BrowserProvider browsers, EndedInLog endedInLog, HostPressure hostPressure) {
        this(store, eventSink, launcher, processTable, time, random, logDir, listener, diagnostics, spawner,
                recoveryActions, browsers, endedInLog, hostPressure, spawner);
    }

    /** Without a host reading: admission control never holds a start. */
    public SupervisorDeps(StateStore store, EventSink eventSink, ProcessLauncher launcher, ProcessTable processTable,
                          TimeSource time, Random random, Path logDir, Consumer<List<EventRecord>> listener,
                          Consumer<String> diagnostics, Executor spawner, RecoveryActions recoveryActions,
                          BrowserProvider browsers, EndedInLog endedInLog) {
        this(store, eventSink, launcher, processTable, time, random, logDir, listener, diagnostics, spawner,
                recoveryActions, browsers, endedInLog, HostPressure.none());
    }

    /** Without an event log to look back into (tests): no session counts as ended in the log. */
    public SupervisorDeps(StateStore store, EventSink eventSink, ProcessLauncher launcher, ProcessTable processTable,
                          TimeSource time, Random random, Path logDir, Consumer<List<EventRecord>> listener,
                          Consumer<String> diagnostics, Executor spawner, RecoveryActions recoveryActions,
                          BrowserProvider browsers) {
        this(store, eventSink, launcher, processTable, time, random, logDir, listener, diagnostics, spawner,
                recoveryActions, browsers, EndedInLog.none());
    }
}
