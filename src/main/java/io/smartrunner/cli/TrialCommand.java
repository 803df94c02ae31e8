package io.smartrunner.cli;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.event.EventRecord;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code trial}: the spec's test-recovery-manual.js. Runs one profile through real sessions whose
 * child is the failure simulator and prints its events live until the profile is healthy again
 * or paused ({@link TrialEvents}). It uses its own data dir, so the real fleet's state is never touched.
 */
@Command(name = "trial", description = "Run one profile through real sessions with a simulated failure; print its events live.")
final class TrialCommand implements Callable<Integer> {
    private static final DateTimeFormatter RUN_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    private static final long DEFAULT_MAX_TIMEOUT_MS = 10_000;
    private static final long DEFAULT_HANG_IDLE_MS = 3_000;

    @Mixin
    ConfigOption config;

    @Option(names = "--pod", required = true, converter = IdArgument.class)
    String pod;

    @Option(names = "--profile", required = true, converter = IdArgument.class)
    String profileId;

    @Option(names = "--failureType", required = true, description = "exit | timeout | error | hang | ok, or with a"
            + " real Chromium: browser-broken | browser-deadend | browser-stuck | browser-tab | browser-frozen"
            + " (these run the five browser steps, up to 5 attempts, recovery.stepTimeoutMs as configured)")
    String failureType;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private static final List<String> BROWSER_FAILURES = List.of("broken", "deadend", "stuck", "tab", "frozen");
    /** What the demo worker's pages must satisfy to be healthy (see DemoSessionCommand). */
    static final String DEMO_VERIFY = "document.title.startsWith('Demo') && !window.broken";

    @Option(names = "--exitCode", defaultValue = "1")
    int exitCode;

    @Option(names = "--duration", paramLabel = "MS", description = "for timeout: how long the child runs (default 5000)")
    Long durationMs;

    @Option(names = "--cooldown", paramLabel = "MS", defaultValue = "1000", description = "between sessions (default ${DEFAULT-VALUE})")
    long cooldownMs;

    @Option(names = "--max-sessions", defaultValue = "10", description = "give up after this many sessions (default ${DEFAULT-VALUE})")
    int maxSessions;

    @Option(names = "--backoff", paramLabel = "MS",
            description = "recovery.retryBackoffMs for this trial, to watch a whole ladder in seconds (default: the"
                    + " config's; 1000 for browser-* trials)")
    Long backoffMs;

    @Option(names = "--timeout", paramLabel = "MS",
            description = "session timeout (default: the profile's, at most 10000, so a trial ends in seconds)")
    Long timeoutMs;

    @Option(names = "--idle-timeout", paramLabel = "MS",
            description = "hang detection (default: 3000 for --failureType hang, else the profile's)")
    Long idleTimeoutMs;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where the trial keeps its state and events (default: a new <dataDir>/trials/<profile>-<time>)")
    Path dataDir;

    @Override
    public Integer call() {
        UsageError.requireIn("--exitCode", exitCode, 0, 255);
        UsageError.requireIn("--duration", durationMs, 0, Long.MAX_VALUE);
        UsageError.requireIn("--cooldown", cooldownMs, 0, Long.MAX_VALUE);
        UsageError.requireIn("--max-sessions", maxSessions, 1, Integer.MAX_VALUE);
        UsageError.requireIn("--backoff", backoffMs, 1, Long.MAX_VALUE);
        UsageError.requireIn("--timeout", timeoutMs, 1, Long.MAX_VALUE);
        UsageError.requireIn("--idle-timeout", idleTimeoutMs, 0, Long.MAX_VALUE);
        boolean browser = failureType.startsWith("browser-");
        if (browser ? !BROWSER_FAILURES.contains(failureType.substring(8))
                : java.util.Arrays.stream(SimulateCommand.FailureType.values()).noneMatch(t -> t.name().equals(failureType))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--failureType: \"" + failureType
                    + "\" is not one of exit, timeout, error, hang, ok, browser-" + String.join(", browser-", BROWSER_FAILURES));
        }
        RunnerConfig base = config.loadForTrial(); // it runs sessions and steps: their secrets must be set
        // the trial serves its own demo site, so its browser has one whether or not a runner is up
        boolean withSite = browser || base.browser().provider() != BrowserSettings.Provider.NONE;
        try (io.smartrunner.http.RunnerHttpServer site = withSite ? io.smartrunner.http.RunnerHttpServer.start(
                new io.smartrunner.config.HttpSettings("127.0.0.1", 0, null).withDemoSite(true)) : null) {
            RunnerConfig trial = trialConfig(base, site == null ? -1 : site.port());
            return browser ? run(browserTrial(trial, site.port())) : run(trial);
        }
    }

    /** The same trial with the profile's own Chromium, the demo site and the demo worker failing as asked. */
    RunnerConfig browserTrial(RunnerConfig t, int sitePort) {
        ProfileConfig p = t.profiles().get(0);
        List<String> argv = new ArrayList<>(List.of(JavaCommand.javaBinary(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "demo-session", "--fail", failureType.substring(8), "--work-ms", "300"));
        SessionSettings s = p.session();
        SessionSettings session = new SessionSettings(argv, s.env(), s.workingDir(), Math.max(s.timeoutMs(), 60_000),
                0, s.cooldownMs(), s.stopGraceMs(), s.logMaxBytes(), s.logKeepFiles(), s.stderrTailBytes(),
                s.inheritEnv());
        ProfileConfig profile = new ProfileConfig(p.id(), p.pod(), "http://127.0.0.1:" + sitePort + "/demo/?profile="
                + p.id(), session, DEMO_VERIFY, null);
        RecoverySettings r = t.recovery();
        RecoverySettings recovery = new RecoverySettings(5, backoffMs == null ? 1_000 : backoffMs, r.maxErrorStreak(),
                r.pauseDurationMs(), r.pauseBackoffMultiplier(), r.maxPauseDurationMs(),
                r.stepTimeoutMs(), r.concurrency(), // the config's: a slow machine's Chromium needs it
                RecoverySettings.BROWSER_STEPS.stream().map(n -> (io.smartrunner.config.StepConfig)
                        new io.smartrunner.config.StepConfig.Builtin(n)).toList(),
                new io.smartrunner.config.VerifyConfig.Browser());
        BrowserSettings b = t.browser();
        BrowserSettings chromium = new BrowserSettings(BrowserSettings.Provider.CHROMIUM, b.chromium(), b.adspower(),
                true, true, b.startTimeoutMs());
        return new RunnerConfig(t.source(), t.runner(), session, recovery, chromium, t.http(),
                List.of(new PodConfig(p.pod(), 1, List.of(profile))), t.secretValues());
    }

    private int run(RunnerConfig trial) {
        SessionSettings used = trial.session();
        System.out.println("trial: " + pod + "/" + profileId + " with failureType=" + failureType
                + " (timeoutMs " + used.timeoutMs() + ", idleTimeoutMs " + used.idleTimeoutMs() + ", cooldownMs "
                + used.cooldownMs() + ", maxErrorStreak " + trial.recovery().maxErrorStreak() + "); events in "
                + trial.runner().eventLog());
        System.out.println("trial: recovery ladder: " + (trial.recovery().steps().isEmpty()
                ? "none (recovery.steps is empty)"
                : trial.recovery().steps().stream().map(st -> st.name()).toList() + ", retryBackoffMs "
                        + trial.recovery().retryBackoffMs() + ", verify " + verifyName(trial.recovery().verify())));
        TrialEvents trialEvents = new TrialEvents(trial.recovery(), maxSessions, System.out);
        AtomicReference<String> verdict = new AtomicReference<>();
        try (RunnerHome home = RunnerHome.open(trial)) {
            AtomicReference<Supervisor> ref = new AtomicReference<>();
            Supervisor supervisor = new Supervisor(trial, home.deps(trial, events -> {
                for (EventRecord e : events) {
                    String v = trialEvents.onEvent(e);
                    if (v != null && verdict.compareAndSet(null, v)) {
                        ref.get().requestStop();
                    }
                }
            }, RunCommand::say));
            ref.set(supervisor);
            Signal.handle(new Signal("INT"), s -> supervisor.requestStop());
            Signal.handle(new Signal("TERM"), s -> supervisor.requestStop());
            supervisor.run();
        }
        System.out.println("trial: " + (verdict.get() == null ? "interrupted" : verdict.get()));
        return 0;
    }

    private static String verifyName(io.smartrunner.config.VerifyConfig v) {
        if (v instanceof io.smartrunner.config.VerifyConfig.Command c) {
            return "command " + String.join(" ", c.argv());
        }
        return v instanceof io.smartrunner.config.VerifyConfig.Browser ? "browser" : "none";
    }

    /** @param sitePort the trial's own demo site, which replaces the runner's in homepages; -1 = none */
    private RunnerConfig trialConfig(RunnerConfig base, int sitePort) {
        ProfileConfig known = base.profile(profileId).orElse(null);
        SessionSettings s = known != null ? known.session() : base.session();
        long timeout = timeoutMs != null ? timeoutMs : Math.min(s.timeoutMs(), DEFAULT_MAX_TIMEOUT_MS);
        long idle = idleTimeoutMs != null ? idleTimeoutMs
                : failureType.equals("hang") ? DEFAULT_HANG_IDLE_MS
                : s.idleTimeoutMs();
        SessionSettings session = new SessionSettings(simulatorArgv(), s.env(), s.workingDir(), timeout, idle,
                cooldownMs, Math.min(s.stopGraceMs(), DEFAULT_MAX_TIMEOUT_MS), s.logMaxBytes(), s.logKeepFiles(),
                s.stderrTailBytes(), s.inheritEnv());
        // an unknown profile gets what the loader gives one without those keys
        String userId = base.browser().provider() == BrowserSettings.Provider.ADSPOWER ? profileId : null;
        ProfileConfig profile = known != null
                ? new ProfileConfig(profileId, pod, onTrialSite(known.homepage(), base, sitePort), session,
                        known.verifyExpression(),
                        known.adspowerUserId())
                : new ProfileConfig(profileId, pod, null, session, null, userId);
        Path dir = dataDir != null ? dataDir : base.runner().dataDir().resolve("trials")
                .resolve(profileId + "-" + RUN_STAMP.format(io.smartrunner.time.TimeSource.system().now()));
        RunnerSettings r = base.runner();
        RunnerSettings runner = new RunnerSettings(1, dir, dir.resolve("events.jsonl"), r.eventLogFsync(),
                r.eventLogFsyncIntervalMs(), 0, r.sqliteSynchronous());
        RecoverySettings r0 = base.recovery();
        RecoverySettings recovery = backoffMs == null ? r0 : new RecoverySettings(r0.maxRecoverySteps(), backoffMs,
                r0.maxErrorStreak(), r0.pauseDurationMs(), r0.pauseBackoffMultiplier(), r0.maxPauseDurationMs(),
                r0.stepTimeoutMs(), r0.concurrency(), r0.steps(), r0.verify());
        // a trial's data dir is never run again: nobody would adopt a browser it left open
        BrowserSettings b = base.browser();
        BrowserSettings browser = new BrowserSettings(b.provider(), b.chromium(), b.adspower(), b.closeOnPause(), true,
                b.startTimeoutMs(), b.recycle());
        return new RunnerConfig(base.source(), runner, session, recovery, browser, base.http(),
                List.of(new PodConfig(pod, 1, List.of(profile))), base.secretValues());
    }

    /** A homepage on the runner's own demo site, moved to the trial's (the runner may not be up). */
    private static String onTrialSite(String homepage, RunnerConfig base, int sitePort) {
        String runnerSite = "http://" + base.http().urlHost() + ":" + base.http().port() + "/demo/";
        if (sitePort < 0 || homepage == null || !homepage.startsWith(runnerSite)) {
            return homepage;
        }
        return "http://127.0.0.1:" + sitePort + "/demo/" + homepage.substring(runnerSite.length());
    }

    /** This same program, run as the simulator: the JVM that runs us, our class path, no shell. */
    private List<String> simulatorArgv() {
        List<String> argv = new ArrayList<>(List.of(JavaCommand.javaBinary(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "simulate", "--failureType", failureType, "--exitCode", Integer.toString(exitCode)));
        if (durationMs != null) {
            argv.addAll(List.of("--duration", Long.toString(durationMs)));
        }
        return argv;
    }

}
