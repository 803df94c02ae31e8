package io.smartrunner.cli;

import io.smartrunner.DaemonThreads;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.AdsPowerProvider;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.ChromiumProvider;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.engine.SupervisorDeps;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventLogShape;
import io.smartrunner.event.EventSink;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.process.ChildEnvironment;
import io.smartrunner.process.Containment;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.ProcessWatchdog;
import io.smartrunner.recovery.ProcessRecoveryActions;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.RunnerName;
import io.smartrunner.store.SchemaUpgrade;
import io.smartrunner.store.SqliteNativeCopies;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateRebuild;
import io.smartrunner.store.StateStore;
import io.smartrunner.systemd.StartupProgress;
import io.smartrunner.time.TimeSource;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The real parts a runner works with, opened in order (lock, state, events) and closed in
 * reverse: the data dir lock, the state store (SQLite, or PostgreSQL in cluster mode), the JSONL
 * event log, the OS launcher.
 */
final class RunnerHome implements AutoCloseable {
    final DataDirLock lock;
    final StateStore store;
    final JsonlEventSink events;
    final Path logDir;
    final ProcessLauncher launcher;
    final ProcessTable processes = new ProcFsProcessTable();
    /** Null when browser.provider is none. */
    BrowserProvider browsers;
    /** The subreaper and, where allowed, the runner's cgroup: active from open to close. */
    Containment containment;
    private boolean closeBrowsersOnExit;
    /**
     * Launch threads: a spawn blocks for a millisecond or two (the child's clone and exec), a few
     * in parallel keep the loop fed. Measured in a 10 000-profile fleet (docs/performance.md,
     * eighteenth session): 2 fell behind, 8 and 16 spent more CPU for later starts than 4.
     */
    private final ExecutorService launches = Executors.newFixedThreadPool(
            LAUNCH_THREADS, DaemonThreads.named("sr-launch"));
    private static final int LAUNCH_THREADS = 4;
    /**
     * Browser threads: an open waits for the browser (seconds; its whole start timeout when it
     * hangs), so profiles' browsers open side by side, up to this many at once, and never on a
     * launch thread ({@link BrowserThreads}).
     */
    private final ThreadPoolExecutor browserWork = BrowserThreads.create(
            BROWSER_THREADS, DaemonThreads.named("sr-browser"));
    private static final int BROWSER_THREADS = 32;

    private RunnerHome(DataDirLock lock, StateStore store, JsonlEventSink events, Path logDir,
                       ProcessLauncher launcher) {
        this.launcher = launcher;
        this.lock = lock;
        this.store = store;
        this.events = events;
        this.logDir = logDir;
    }

    static Path stateFile(RunnerSettings r) {
        return r.dataDir().resolve("state.db");
    }

    /**
     * Before anything here stops a process by the data dir's runner id (containment, the crash
     * reconcile): a live runner other than this one tagged processes with it, so this data dir is a
     * copy of the one it uses, taken while it ran (an upgrade rehearsed on the same host). A start
     * here took that runner's sessions for its own leftovers and stopped them, its healthy profiles
     * blamed (reviewer R19). Refused in one line, exit 1.
     */
    static void refuseACopyInUse(java.nio.file.Path dataDir, String runnerId, ProcessTable table) {
        RunRecord.stillRunning(dataDir).ifPresent(run -> {
            throw new SmartRunnerException(dataDir.resolve(RunRecord.FILE) + ": the run on record, pid " + run.pid()
                    + " (started " + run.startedAt() + "), is still running, though it does not hold this data dir's"
                    + " lock: this data dir is a copy of the one that runner uses, and has its runner id " + runnerId
                    + ". A runner here would stop that runner's sessions as its own leftovers. Stop that runner"
                    + " first, or run the copy on another machine or in another container (if pid " + run.pid()
                    + " is no Smart Runner, remove the copy's " + RunRecord.FILE + ")");
        });
        table.liveRunnerTagging(runnerId).ifPresent(pid -> {
            throw new SmartRunnerException(dataDir + ": its runner id " + runnerId + " is in use by a live runner,"
                    + " pid " + pid + " (its sessions or its process watchdog carry it), though that runner does not"
                    + " hold this data dir's lock: this data dir is a copy of the one that runner uses. A runner here"
                    + " would stop that runner's sessions as its own leftovers. Stop that runner first, or run the copy"
                    + " on another machine or in another container");
        });
    }

    static RunnerHome open(RunnerConfig config) {
        RunnerSettings r = config.runner();
        if (config.browser().provider() == BrowserSettings.Provider.CHROMIUM) {
            ChromiumProvider.requireBinary(config.browser(), config.source());
        }

        DataDirLock lock = DataDirLock.acquire(r.dataDir(), r.eventLog());
        StateStore store = null;
        try {
            if (config.store().kind() == StoreSettings.Kind.SQLITE) {
                SqliteNativeCopies.useDataDir(r.dataDir()); // not /tmp, where a SIGKILL left a copy for good
            }
            // before the store: a lost store is rebuilt from the log, which must then be one
            EventLogShape.require(r.eventLog());
            store = openStore(config);
            refuseACopyInUse(r.dataDir(), store.runnerId(), new ProcFsProcessTable());
            if (store instanceof PostgresStateStore fleet) {
                SingleMachineStateNotice.of(stateFile(r), config.profiles(), fleet::loadProfiles, config.source())
                        .ifPresent(RunCommand::say);
            }
            JsonlEventSink events = JsonlEventSink.open(r.eventLog(), r.eventLogFsync(), r.eventLogFsyncIntervalMs())
                    .rotateAt(r.eventLogMaxBytes(), r.eventLogKeep(), RunCommand::say);
            // children never see the values the config took from ${env:...} unless inheritEnv names them
            RunnerHome home = new RunnerHome(lock, store, events, r.dataDir().resolve("logs"),
                    PosixSpawnLauncher.best(ChildEnvironment.of(System.getenv(), config.secretValues())));
            home.browsers = switch (config.browser().provider()) {
                case CHROMIUM -> new ChromiumProvider(config.browser(), r.dataDir().resolve("browsers"), home.logDir,
                        home.launcher, home.processes, store.runnerId());
                case ADSPOWER -> new AdsPowerProvider(config.browser(),
                        java.time.Duration.ofMillis(config.recovery().stepTimeoutMs()));
                case NONE -> BrowserProvider.none();
            };
            home.closeBrowsersOnExit = config.browser().closeOnExit();
            // last: nothing after it can fail and leave the process a subreaper with no one to close it
            home.containment = Containment.start(store.runnerId(), r.dataDir(),
                    java.time.Duration.ofMillis(config.session().stopGraceMs()), RunCommand::say);
            return home;
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            lock.close();
            throw e;
        }
    }

    /**
     * SQLite: the process watchdog as a death watch, so this runner's sessions, browsers and steps
     * die with it however it dies (DESIGN §2c; cluster mode's {@link ClusterMember#fence} does this and more).
     * None with Chromium browsers kept through the runner's end ({@code browser.closeOnExit: false}:
     * they are meant to outlive it, and the watch cannot tell them from the sessions), said once.
     */
    static ProcessWatchdog deathWatch(RunnerConfig cfg) {
        if (cfg.store().kind() == StoreSettings.Kind.POSTGRES) {
            return null;
        }
        if (!cfg.browser().closeOnExit() && cfg.browser().provider() == BrowserSettings.Provider.CHROMIUM) {
            RunCommand.say("browser.closeOnExit is false: no process watchdog, so if this runner is killed its"
                    + " sessions run on until the next start stops them (docs/containment.md)");
            return null;
        }
        ProcessWatchdog watch = ProcessWatchdog.startDeathWatch(
                DataDirLock.fileOf(cfg.runner().dataDir()), RunCommand::say);
        RunCommand.say("sessions die with the runner: " + watch.describe());
        return watch;
    }

    /** Where the state is, for the start line (never the password). */
    static String stateShown(RunnerConfig config) {
        return config.store().kind() == StoreSettings.Kind.POSTGRES
                ? "PostgreSQL at " + config.store().hostPort() + " as runner "
                        + RunnerName.forDataDir(config.runner().dataDir())
                : stateFile(config.runner()).toString();
    }

    /** The store the config names; a lost SQLite file is first rebuilt from the event log. */
    static StateStore openStore(RunnerConfig config) {
        if (config.store().kind() == StoreSettings.Kind.POSTGRES) {
            // a runner's start is what upgrades the fleet's schema; under systemd each line extends the start's timeout
            try (StartupProgress progress = StartupProgress.fromEnvironment(System.getenv(), RunCommand::say)) {
                return postgres(config, SchemaUpgrade.by(progress));
            }
        }
        rebuildIfLost(config.runner());
        // an upgrade of a big store says how far it got; under systemd each line also extends the start's timeout
        try (StartupProgress progress = StartupProgress.fromEnvironment(System.getenv(), RunCommand::say)) {
            return openSqlite(config.runner(), progress);
        }
    }

    /**
     * The data dir's SQLite store, read-write (migrated, {@code say} told how an upgrade goes);
     * refused once {@code import-state} copied it into a fleet: the machine's profiles run there now.
     */
    static SqliteStateStore openSqlite(RunnerSettings r, java.util.function.Consumer<String> say) {
        SqliteStateStore store = SqliteStateStore.open(stateFile(r), r.sqliteSynchronous(), r.sessionsKeptPerProfile(),
                say);
        String imported = store.importedInto();
        if (imported != null) {
            store.close();
            throw importedStore(r, imported, "a runner on this file would run them a second time from older state."
                    + " To run this machine alone again");
        }
        return store;
    }

    /**
     * The refusal of a store {@code import-state} marked ({@code imported}: its mark): {@code why}
     * says what would happen, then the way out, moving the file away.
     */
    static SmartRunnerException importedStore(RunnerSettings r, String imported, String why) {
        return new SmartRunnerException(stateFile(r).toAbsolutePath() + ": import-state copied its state into the"
                + " fleet's store (" + imported + "), where this machine's profiles run now; " + why + ", move the"
                + " file away: the next start rebuilds it from this machine's event log (docs/cluster.md)");
    }

    /** A store's import mark ({@code import-state}); null when it has none, or cannot be read as a store. */
    static String importMark(Path db) {
        if (!StatusCommand.hasStore(db)) {
            return null;
        }
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
            return store.importedInto();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The fleet's store for a command: an older schema is refused (only a runner's start upgrades it). */
    static PostgresStateStore postgres(RunnerConfig config) {
        return postgres(config, SchemaUpgrade.REFUSED);
    }

    static PostgresStateStore postgres(RunnerConfig config, SchemaUpgrade upgrade) {
        return PostgresStateStore.open(config.store(), RunnerName.forDataDir(config.runner().dataDir()),
                config.runner().sessionsKeptPerProfile(), config.cluster().storeWaitMs(), upgrade);
    }

    /**
     * A missing, empty or damaged store next to an event log that holds some profile's event: the
     * state is in the log, never start as new. A damaged store with nothing to rebuild it from stops the start. Every
     * command that opens the store read-write with the data dir locked does this first ({@code run},
     * the control commands with no runner): a write into a lost store would make it look whole.
     */
    static void rebuildIfLost(RunnerSettings r) {
        Path state = stateFile(r);
        StateRebuild.Check check = StateRebuild.check(state);
        if (!check.wantsRebuild()) {
            return;
        }
        if (!check.damaged() && !StateRebuild.logHasProfileEvents(r.eventLog())) {
            return; // nothing of a profile to lose (a runner with no profiles logs only its own start and stop)
        }
        if (!StateRebuild.logHasBytes(r.eventLog())) {
            if (check.damaged()) {
                throw new SmartRunnerException(state + ": " + check.words() + ", and the event log " + r.eventLog()
                        + " is empty, so there is nothing to rebuild it from; move the file aside to start with no state");
            }
            return; // a new runner: the store is created empty
        }
        StateRebuild.Result done = StateRebuild.rebuild(r.eventLog(), state, r.sqliteSynchronous(),
                r.sessionsKeptPerProfile(), TimeSource.system().now());
        RunCommand.say("state store " + check.words() + " but the event log is not: " + done.summary());
    }

    SupervisorDeps deps(RunnerConfig config, Consumer<List<EventRecord>> listener, Consumer<String> diagnostics) {
        return deps(config, listener, diagnostics, UnaryOperator.identity(), TimeSource.system());
    }

    /**
     * @param eventSink wraps the event log the supervisor writes to (the metrics time each append)
     * @param clock     the wall clock of pauses and events: this machine's, or in cluster mode the database's
     */
    SupervisorDeps deps(RunnerConfig config, Consumer<List<EventRecord>> listener, Consumer<String> diagnostics,
                        UnaryOperator<EventSink> eventSink, TimeSource clock) {
        return new SupervisorDeps(store, eventSink.apply(events), launcher, processes, clock,
                new SecureRandom(), logDir, listener, diagnostics, launches,
                new ProcessRecoveryActions(launcher, logDir, store.runnerId(), config.recovery().stepTimeoutMs(),
                        browsers), browsers,
                io.smartrunner.engine.EndedInLog.readingBackwards(config.runner().eventLog()),
                io.smartrunner.admission.ProcHostPressure.system(), browserWork);
    }

    @Override
    public void close() {
        browserWork.shutdownNow();
        launches.shutdownNow();
        if (closeBrowsersOnExit) {
            browsers.close();
        }
        if (containment != null) {
            containment.close();
        }
        try {
            events.close();
        } finally {
            try {
                store.close();
            } finally {
                lock.close();
            }
        }
    }
}
