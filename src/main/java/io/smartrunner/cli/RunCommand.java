package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.breaker.PodsWithoutBreaker;
import io.smartrunner.alert.WebhookAlerts;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.BrowserStatus;
import io.smartrunner.fleet.FleetMode;
import io.smartrunner.cluster.Membership;
import io.smartrunner.cluster.ProcessFence;
import io.smartrunner.cluster.RunnersView;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.ReloadSummary;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.event.EventFanout;
import io.smartrunner.event.Redactor;
import io.smartrunner.health.RunnerHealth;
import io.smartrunner.http.ApiParts;
import io.smartrunner.http.ApiToken;
import io.smartrunner.http.EventPages;
import io.smartrunner.http.FleetControl;
import io.smartrunner.http.NewEvents;
import io.smartrunner.http.RunnerHttpServer;
import io.smartrunner.metrics.FleetMetrics;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.report.LiveReport;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.systemd.SystemdNotifier;
import io.smartrunner.time.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import io.smartrunner.process.IgnoredSignals;
import sun.misc.Signal;

/**
 * {@code run}: supervise the configured fleet until SIGTERM or SIGINT.
 * <p>Over 250 lines because it wires every part of a running runner (store, cluster membership,
 * HTTP, health, systemd, signals) in one place; the parts themselves live in their packages.
 */
@Command(name = "run", description = "Run the supervisor on the configured fleet until SIGTERM/SIGINT.",
        footer = {"",
                "Signals: SIGTERM or SIGINT stops it (every session stopped and its end written, then runner-stop);"
                        + " SIGHUP re-reads the config file, as 'smart-runner reload'; SIGUSR1 reopens the event log"
                        + " after an outside rotation (logrotate).",
                "Exit codes: 0 stopped, everything written; 1 a runtime failure (the data dir in use, a port taken,"
                        + " events or state rows not written at the stop); 2 a bad config or command line, or a state"
                        + " store newer than this release (no retry helps: systemd's RestartPreventExitStatus=2).",
                "Files: runner.dataDir (default data/) holds state.db (a newer release upgrades it once, after copying"
                        + " it to state.db.schema-N: docs/operations.md), run.state, runner.lock, http.token, http.port;"
                        + " runner.eventLog (default logs/events.jsonl) is the JSON Lines record of every decision.",
                "See README.md, docs/operations.md (health, systemd, upgrades) and docs/configuration.md."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        RunnerConfig cfg;
        try {
            cfg = config.load();
        } catch (io.smartrunner.config.ConfigException refused) {
            RefusedStartLeftovers.stop(config, RunCommand::say);
            throw refused;
        }
        try {
            return run(cfg);
        } catch (io.smartrunner.store.StoreException e) {
            if (joinedCluster && !serving) {
                throw new io.smartrunner.store.StoreException("start abandoned: " + e.getMessage() + " (the database"
                        + " failed while this runner was starting, after it had joined the cluster; no session of"
                        + " this run is left running: start it again once the database answers)", e);
            }
            throw e;
        }
    }

    /** Cluster mode: told each applied reload's config, for the other runners to compare; null with SQLite. */
    private io.smartrunner.cluster.FleetConfigWatch configWatch;

    /** Whether this start has joined the cluster, and whether it got as far as serving: a failure between is a start abandoned. */
    private boolean joinedCluster;
    private boolean serving;

    /** The API token, masked like an {@code ${env:...}} value in everything this run writes and serves (reloads too). */
    private String tokenSecret;

    /** Said at the start: the configured token is in a config file others may read; null when it is not. */
    private String readableToken;

    private int run(RunnerConfig loaded) {
        try (RunnerHome home = RunnerHome.open(loaded);
             Membership membership = ClusterMember.join(loaded, home)) { // refused here, no token is made
            // before anything that writes events: a child that prints the token (it may read
            // data/http.token) must not hand it to every local user through its stderr tail or log page
            ApiToken token = ApiToken.configuredOrGenerated(loaded.http().token(), loaded.runner().dataDir(),
                    RunCommand::tokenGenerated);
            tokenSecret = token.secret();
            readableToken = io.smartrunner.http.ReadableTokenNotice.notice(loaded); // before the token is a secret
            return run(home, membership, loaded.withSecret(tokenSecret), token);
        }
    }

    private int run(RunnerHome home, Membership membership, RunnerConfig cfg, ApiToken token) {
        try (io.smartrunner.cluster.FleetConfigWatch configWatch = ClusterMember.watchConfig(cfg, home, membership);
             FleetMode fleetMode = FleetMode.of(cfg, home.store, membership, RunCommand::say);
             WebhookAlerts alerts = WebhookAlerts.start(cfg.alerts(), cfg.secretValues(), RunCommand::say);
             ProcessFence fence = ClusterMember.fence(cfg);
             io.smartrunner.process.ProcessWatchdog deathWatch = RunnerHome.deathWatch(cfg)) {
            joinedCluster = membership != null;
            this.configWatch = configWatch;
            // cluster mode: pauses and events on the database's clock, which every member shares
            TimeSource clock = membership == null ? TimeSource.system() : membership.clock();
            FleetMetrics metrics = new FleetMetrics(TimeSource.system(), cfg.secretValues());
            metrics.watch(alerts);
            EventFanout fanout = new EventFanout(RunCommand::say).subscribe(metrics);
            fanout.subscribe(alerts);
            io.smartrunner.cluster.ProfileLeases leases = ClusterMember.leases(cfg, home, membership);
            if (fleetMode != null && leases.clustered()) {
                fleetMode.withLeases(id -> leases.epoch(id) != null, leases::lastEpoch,
                        leases instanceof io.smartrunner.cluster.QueuedControlReads reads ? reads
                                : io.smartrunner.cluster.QueuedControlReads.NONE);
            }
            Supervisor supervisor = new Supervisor(cfg, home.deps(cfg, fanout, RunCommand::say,
                    fleetMode == null ? metrics::timed : sink -> metrics.timed(fleetMode.tee(sink)), clock), leases);
            if (leases instanceof io.smartrunner.cluster.LeaseKeeper keeper) {
                metrics.watchStaleWrites(keeper::staleWrites);
                metrics.watchLeasesHeld(keeper::heldCount);
            }
            RunnerHealth health = health(supervisor, cfg, membership, leases, configWatch);
            if (fence != null) {
                fence.watch(supervisor::lastTurnNanos, supervisor::started, supervisor::wake);
            }
            metrics.watch(health);
            metrics.watch(supervisor.admission());
            // cluster mode: the report counts the whole fleet's events, fed from PostgreSQL
            LiveReport report = fleetMode == null
                    ? LiveReport.readingHistoryOf(cfg.runner().eventLog(), RunCommand::say) : fleetMode.report();
            metrics.watchMalformedLines(report::malformedLines);
            if (fleetMode != null) {
                metrics.watchFleetEvents(fleetMode::staleEventsRejected, fleetMode::eventsNotSent);
            }
            NewEvents newEvents = new NewEvents();
            if (fleetMode == null) {
                fanout.subscribe(report);
            }
            fanout.subscribe(newEvents);
            FleetControl fleet = fleetMode == null ? fleet(supervisor, cfg, home)
                    : fleetMode.view(fleet(supervisor, cfg, home), supervisor::requestAll, newEvents);
            ApiParts api = new ApiParts(fleet, token, cfg.runner().eventLog(), home.logDir,
                    report, newEvents,
                    new Redactor(cfg.secretValues()), clock, browserStatus(cfg, home.browsers),
                    fleetMode == null ? EventPages.of(cfg.runner().eventLog()) : fleetMode.eventPages());
            AtomicReference<SystemdNotifier> systemdRef = new AtomicReference<>();
            Runnable stop = () -> {
                health.stopping();
                SystemdNotifier systemd = systemdRef.get();
                if (systemd != null) {
                    systemd.stopping();
                }
                supervisor.requestStop();
            };
            handleSignals(supervisor, home, stop); // a SIGTERM during the reconcile below stops the runner cleanly too
            long pid = ProcessHandle.current().pid();
            io.smartrunner.event.Events.PreviousRun previous = RunRecord.previous(cfg.runner().dataDir(),
                    cfg.runner().eventLog());
            RunRecord run = RunRecord.begin(cfg.runner().dataDir(), pid, clock.now());
            supervisor.announceRun(pid, cfg.profiles().size(), cfg.pods().size(), previous);
            if (previous != null && !previous.stopped()) {
                say("the previous run on " + cfg.runner().dataDir() + " (pid " + previous.pid() + ", started "
                        + previous.startedAt() + ") ended without writing its stop: killed, crashed, or its log unwritable");
            }
            java.util.concurrent.atomic.AtomicBoolean httpFailed = new java.util.concurrent.atomic.AtomicBoolean();
            RunnerHttpServer served;
            try {
                // Reconcile before binding the port: sessions a killed runner left behind may hold it
                // (inherited socket), and only this start stops them.
                supervisor.start();
                if (membership != null) {
                    membership.startHeartbeat(() -> ClusterMember.runningSessions(supervisor, leases));
                }
                if (fleetMode != null) {
                    fleetMode.start();
                }
                // bound now (a taken port stops the start here), served from a thread of its own: the
                // first sessions do not wait for Jetty's start
                served = RunnerHttpServer.startServingSoon(cfg.http(), api,
                        metrics.exposition(supervisor::profiles, supervisor::pods, FleetMetrics.DEFAULT_PROFILES_WAIT),
                        health, problem -> {
                            say(problem + "; stopping");
                            httpFailed.set(true);
                            stop.run();
                        });
            } catch (RuntimeException refused) {
                if (endAbandonedRun(supervisor, run, refused)) {
                    // its loop stopped every session it had (reviewer R22: a taken port was followed by the
                    // watchdog's "killed the sessions of runner pid N")
                    watchdogsLeave(fence, deathWatch);
                }
                throw refused;
            }
            try (RunnerHttpServer http = served;
                 SystemdNotifier systemd = SystemdNotifier.fromEnvironment(System.getenv(), health,
                         TimeSource.system()::nanoTime, RunCommand::say).loopWokenEverySecond(fence != null).start()) {
                systemdRef.set(systemd);
                Path portFile = cfg.runner().dataDir().resolve(RunnerApiClient.PORT_FILE);
                writePort(portFile, http.port());
                try {
                    serving = true;
                    int code = runWith(cfg, home, supervisor, http);
                    if (supervisor.stopWritten()) { // its runner-stop is in the log (its state rows may not be: code 1)
                        run.stopped(RunCommand::say);
                    }
                    if (httpFailed.get()) {
                        code = 1;
                    }
                    watchdogsLeave(fence, deathWatch);
                    return code;
                } finally {
                    deleteQuietly(portFile);
                }
            }
        }
    }

    /** The provider's name, and whether it holds the profile's browser open (and its pid). */
    private static Function<String, Map<String, Object>> browserStatus(RunnerConfig cfg, BrowserProvider browsers) {
        if (cfg.browser().provider() == BrowserSettings.Provider.NONE) {
            return null; // no "browser" field in a profile's state at all
        }
        String provider = cfg.browser().provider().name().toLowerCase(java.util.Locale.ROOT);
        return profileId -> {
            BrowserStatus s = browsers.status(profileId);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("provider", provider);
            json.put("open", s.open());
            json.put("pid", s.pid());
            return json;
        };
    }

    private FleetControl fleet(Supervisor supervisor, RunnerConfig cfg, RunnerHome home) {
        return new FleetControl() {
            @Override
            public Map<String, Object> runners() {
                return io.smartrunner.cluster.PlacementView.add(home.store instanceof PostgresStateStore postgres
                        ? RunnersView.cluster(postgres.members(), cfg.cluster().leaseTtlMs()) : RunnersView.single(cfg.runner()),
                        cfg.profiles()); // with the runOn profiles no runner can run (as configured at start)
            }

            @Override
            public CompletableFuture<List<ProfileState>> profiles() {
                // read without entering the loop: a page of 10 000 profiles waits for no session start
                return CompletableFuture.completedFuture(supervisor.board().states());
            }

            @Override
            public CompletableFuture<ManualReply> request(ManualRequest request) {
                return supervisor.request(request);
            }

            @Override
            public List<CompletableFuture<ManualReply>> requestAll(List<ManualRequest> requests) {
                return supervisor.requestAll(requests);
            }

            @Override
            public CompletableFuture<ReloadSummary> reload() {
                return reloadWith(supervisor, loadForReload());
            }

            @Override
            public Path configFile() {
                return config.file.toAbsolutePath().normalize();
            }

            @Override
            public CompletableFuture<List<io.smartrunner.breaker.PodStatus>> pods() {
                return supervisor.pods();
            }

            @Override
            public CompletableFuture<Boolean> unpausePod(String pod, String by) {
                return supervisor.unpausePod(pod, by);
            }
        };
    }

    /** One truth for /healthz, /readyz, status, /metrics and the systemd watchdog (same clock as the loop's). */
    private static RunnerHealth health(Supervisor supervisor, RunnerConfig cfg, Membership membership,
                                       io.smartrunner.cluster.ProfileLeases leases,
                                       io.smartrunner.cluster.FleetConfigWatch configWatch) {
        return new RunnerHealth(new RunnerHealth.Loop() {
            @Override
            public boolean started() {
                return supervisor.started();
            }

            @Override
            public long lastTurnNanos() {
                return supervisor.lastTurnNanos();
            }

            @Override
            public String problem() {
                return supervisor.problem();
            }

            @Override
            public List<String> notes() {
                List<String> notes = new java.util.ArrayList<>();
                String held = supervisor.admission().note();
                if (held != null) {
                    notes.add(held);
                }
                String breakers = supervisor.breakerNote();
                if (breakers != null) {
                    notes.add(breakers);
                }
                String disagreement = configWatch == null ? null : configWatch.note();
                if (disagreement != null) {
                    notes.add(disagreement);
                }
                return notes;
            }

            @Override
            public List<String> reasons() {
                List<String> reasons = new java.util.ArrayList<>();
                String problem = membership == null ? null : membership.problem();
                if (problem != null) {
                    reasons.add(problem);
                }
                String fenced = ClusterMember.leaseProblem(leases);
                if (fenced != null) {
                    reasons.add(fenced);
                }
                return reasons;
            }
        }, TimeSource.system()::nanoTime, cfg.http().livenessTimeoutMs());
    }

    /**
     * The file read again for a reload (SIGHUP, the API, the CLI): a refusal is one line on stderr
     * whoever asked (the API's and CLI's used to leave none), and is thrown on to be answered.
     */
    private RunnerConfig loadForReload() {
        try {
            RunnerConfig next = config.load();
            return tokenSecret == null ? next : next.withSecret(tokenSecret);
        } catch (SmartRunnerException e) {
            say("reload refused, the running configuration stays: " + e.getMessage());
            throw e;
        }
    }

    /** A reload applied by the loop; in cluster mode the fleet then compares the new config. */
    private CompletableFuture<ReloadSummary> reloadWith(Supervisor supervisor, RunnerConfig next) {
        CompletableFuture<ReloadSummary> applied = supervisor.requestReload(next);
        applied.whenComplete((summary, failure) -> {
            if (failure instanceof io.smartrunner.engine.ChangeNotRecorded refused) {
                say("reload refused, the running configuration stays: " + refused.getMessage());
            }
        });
        io.smartrunner.cluster.FleetConfigWatch watch = configWatch;
        if (watch != null) {
            applied.thenRun(() -> watch.reloaded(next));
        }
        return applied;
    }

    private void handleSignals(Supervisor supervisor, RunnerHome home, Runnable stop) {
        // started under nohup (HUP ignored) or as a script's background job (INT ignored), the JVM
        // would not install these handlers at all: the runner owns them, and says so
        List<String> taken = IgnoredSignals.restore(Map.of("SIGHUP", 1, "SIGINT", 2, "SIGTERM", 15));
        if (!taken.isEmpty()) {
            say("started with " + String.join(", ", taken) + " ignored (nohup?): handled as the runner's own"
                    + " (SIGHUP reloads, SIGINT and SIGTERM stop)");
        }
        // Handled signals (not a shutdown hook): the runner stops its sessions, flushes and exits 0.
        Signal.handle(new Signal("TERM"), s -> stop.run());
        Signal.handle(new Signal("INT"), s -> stop.run());
        // SIGHUP: reload; a broken file is refused with its one-line error and the running config stays
        Signal.handle(new Signal("HUP"), s -> {
            try {
                reloadWith(supervisor, loadForReload());
            } catch (SmartRunnerException e) {
                // said by loadForReload
            }
        });
        // SIGUSR1: an external logrotate renamed the event log; the next append reopens the path
        Signal.handle(new Signal("USR1"), s -> home.events.requestReopen());
    }

    /** Every session has ended, stopped by the runner itself: its watchdogs leave, killing nothing. */
    private static void watchdogsLeave(ProcessFence fence, io.smartrunner.process.ProcessWatchdog deathWatch) {
        if (fence != null) {
            fence.stoppedCleanly();
        }
        if (deathWatch != null) {
            deathWatch.stoppedCleanly();
        }
    }

    /** A start-up spread this long is said at start: shorter ones pass before anyone looks. */
    private static final long LONG_RAMP_MS = 10_000;

    private int runWith(RunnerConfig cfg, RunnerHome home, Supervisor supervisor, RunnerHttpServer http) {
        int profiles = cfg.profiles().size();
        if (profiles == 0) {
            say(config.file + ": no profiles configured (" + (cfg.pods().isEmpty() ? "$.pods is empty" : "no pod lists a profile")
                    + "); idling until stopped");
        }
        say("running " + profiles + " profile(s) in " + cfg.pods().size() + " pod(s); build "
                + io.smartrunner.BuildInfo.version() + "; events: "
                + cfg.runner().eventLog() + "; state: " + RunnerHome.stateShown(cfg)
                + "; session logs: " + home.logDir + "; launcher: " + home.launcher.getClass().getSimpleName()
                + "; containment: " + home.containment.describe()
                + "; http://" + cfg.http().urlHost() + ":" + http.port() + "/ (dashboard, /api, /metrics, /healthz, /readyz"
                + (cfg.http().demoSite() ? ", demo site" : "") + "); pid "
                + ProcessHandle.current().pid());
        // else slots sit empty for minutes with nothing said why (reviewer R21)
        if (cfg.runner().startJitterMs() >= LONG_RAMP_MS && profiles > 1) {
            say("the first sessions start spread over " + cfg.runner().startJitterMs() / 1000 + " s (runner.startJitterMs):"
                    + " each profile waits a random part of it, and the concurrency limits rise from one to their value"
                    + " over it");
        }
        io.smartrunner.browser.DevToolsGuard guard =
                home.browsers instanceof io.smartrunner.browser.ChromiumProvider chromium ? chromium.guard() : null;
        String exposed = io.smartrunner.browser.DevToolsExposure.notice(cfg.browser(), guard);
        if (guard != null) {
            guard.watch(RunCommand::say); // a table a firewall reload removed is made again, and said
        }
        if (exposed != null) {
            say(exposed);
        }
        if (readableToken != null) {
            say(readableToken);
        }
        String noBreaker = PodsWithoutBreaker.notice(cfg);
        if (noBreaker != null) {
            say(noBreaker);
        }
        if (home.events.tornBytesMoved() > 0) {
            say(cfg.runner().eventLog() + ": moved a torn last line (" + home.events.tornBytesMoved()
                    + " bytes, from a crash mid-write) to " + cfg.runner().eventLog() + ".torn");
        }
        boolean clean = supervisor.loop();
        home.containment.sayLeftovers();
        say(clean ? "stopped" : "stopped, but not every event could be written");
        return clean ? 0 : 1;
    }

    /**
     * A start given up after its runner-start (a taken port, say) ends as a run: the loop stops
     * what it began and writes the runner-stop, and the record says stopped, so the next start does
     * not call a refusal a crash (reviewer R7: under systemd, an unpaired start every 2 s).
     *
     * @return whether the loop ran its stop to the end (every session it had stopped)
     */
    private static boolean endAbandonedRun(Supervisor supervisor, RunRecord run, RuntimeException why) {
        try {
            supervisor.requestStop();
            supervisor.loop();
            if (supervisor.stopWritten()) {
                run.stopped(RunCommand::say);
            }
            return true;
        } catch (RuntimeException e) {
            why.addSuppressed(e);
            return false;
        }
    }

    /** Where the CLI's control commands find the API when http.port is 0. */
    private static void writePort(Path file, int port) {
        try {
            Files.writeString(file, port + "\n");
        } catch (IOException e) {
            throw new SmartRunnerException(file + ": cannot write the HTTP port: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // stale: the next runner overwrites it
        }
    }

    /**
     * The new token is shown once, and only when stderr itself is a terminal: when stderr goes to
     * a file or a journal, the token would be a secret in a log, so only its file is named.
     */
    private static void tokenGenerated(Path file) {
        say("generated the API token into " + file + " (mode 0600); send it as 'Authorization: Bearer <token>'");
        if (StderrTerminal.isTerminal()) {
            try {
                say("API token (shown once; the dashboard asks for it): " + Files.readString(file).strip());
            } catch (IOException e) {
                say(file + ": cannot read it back: " + e.getMessage());
            }
        }
    }

    static void say(String line) {
        System.err.println("smart-runner: " + line);
    }
}
