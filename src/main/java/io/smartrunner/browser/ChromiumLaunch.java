package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.DevToolsEndpoints;
import io.smartrunner.browser.cdp.PageControl;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.process.EnvInheritance;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.OutputFiles;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunMembers;
import io.smartrunner.process.RunTag;
import io.smartrunner.process.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts one Chromium for a profile: its command line, its launch like a session's (own process
 * group, tagged with the runner's id and a browser run id) and the wait until it is ready for a
 * session (DevTools open, the first page loaded). Thread-safe.
 */
final class ChromiumLaunch {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private final BrowserSettings settings;
    private final Path binary;
    private final Path logDir;
    private final ProcessLauncher launcher;
    private final String runnerId;
    private final Duration cdpTimeout;
    private final DevToolsGuard guard;

    /** A started browser: its process tree, run id (its processes' SR_SESSION_ID) and endpoint. */
    record Started(RunningProcess process, String runId, BrowserEndpoint endpoint) {
    }

    /**
     * A start that failed after Chromium was launched (not ready in time, interrupted): its
     * processes were stopped. Its message is the failure's own, so the session's says the same.
     */
    static final class StartFailed extends SmartRunnerException {
        private final transient RunningProcess process;
        private final int swept;

        StartFailed(RuntimeException why, RunningProcess process, int swept) {
            super(why.getMessage(), why);
            this.process = process;
            this.swept = swept;
        }

        /** The launched browser's main process (ended now). */
        long pid() {
            return process.pid();
        }

        /** How many of its processes were alive when it was stopped. */
        int swept() {
            return swept;
        }
    }

    ChromiumLaunch(BrowserSettings settings, Path binary, Path logDir, ProcessLauncher launcher, String runnerId,
                   Duration cdpTimeout, DevToolsGuard guard) {
        this.guard = guard;
        this.settings = settings;
        this.binary = binary;
        this.logDir = logDir;
        this.launcher = launcher;
        this.runnerId = runnerId;
        this.cdpTimeout = cdpTimeout;
    }

    /**
     * Starts the profile's browser in {@code dir}; on failure nothing of it is left running.
     *
     * @throws StartFailed when Chromium was launched and then stopped: the provider logs both
     */
    Started start(ProfileConfig profile, Path dir) {
        ChromiumProfileDir.prepare(dir);
        // closed to other users before Chromium listens on it (DevToolsGuard); 0 without a guard: Chromium picks
        int port = guard.reservePort();
        try {
            return start(profile, dir, port);
        } catch (RuntimeException e) {
            guard.release(port);
            throw e;
        }
    }

    private Started start(ProfileConfig profile, Path dir, int port) {
        String runId = RunTag.browser(profile.id());
        Path log = logDir.resolve(profile.id() + ".browser.log");
        var session = profile.session();
        // the safe base, a display if there is one, and what the user lets the profile's children inherit
        LaunchSpec spec = new LaunchSpec(runId, argv(dir, profile, port), Map.of("SR_SESSION_ID", runId,
                ProcessTable.RUNNER_ID_ENV, runnerId, "SR_PROFILE_ID", profile.id(), "SR_POD", profile.pod()), dir,
                new OutputFiles(log, log, session.logMaxBytes(), session.logKeepFiles()),
                EnvInheritance.browser().with(session.inheritEnv().all(), session.inheritEnv().names()));
        RunningProcess process = launcher.launch(spec);
        try {
            Duration timeout = Duration.ofMillis(settings.startTimeoutMs());
            BrowserEndpoint endpoint = port == 0 ? DevToolsPortFile.await(dir.resolve("DevToolsActivePort"), process, timeout)
                    : DevToolsPortFile.awaitListening(port, dir.resolve("DevToolsActivePort"), process, timeout);
            String http = endpoint.httpBase();
            if (DevToolsEndpoints.targets(http, cdpTimeout).stream().noneMatch(t -> "page".equals(t.type()))) {
                DevToolsEndpoints.newPage(http, startUrl(profile), cdpTimeout);
            }
            // "open" means ready for a session: the first page has finished loading
            try (PageControl page = PageControl.open(endpoint, Duration.ofMillis(settings.startTimeoutMs()))) {
                page.awaitFirstPage(startUrl(profile));
            }
            return new Started(process, runId, endpoint);
        } catch (RuntimeException e) {
            int alive = RunMembers.alive(process, runId);
            stopQuietly(process);
            throw new StartFailed(e, process, alive);
        }
    }

    private List<String> argv(Path dir, ProfileConfig profile, int port) {
        List<String> argv = new ArrayList<>();
        if (RunningAsRoot.yes() && Files.isExecutable(SETPRIV)) {
            // as root Chromium raises some of its threads to nice -8 and can starve the runner's loop
            argv.addAll(List.of(SETPRIV.toString(), "--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "--"));
        }
        argv.addAll(List.of(binary.toString(),
                "--remote-debugging-port=" + port, "--remote-debugging-address=127.0.0.1",
                "--user-data-dir=" + dir.toAbsolutePath(),
                // quiet on a closed network, no first-run UI, no crash reporter processes
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-crash-reporter", "--disable-breakpad", "--password-store=basic"));
        if (settings.chromium().headless()) {
            argv.add("--headless=new");
        }
        if (RunningAsRoot.yes()) {
            argv.add("--no-sandbox"); // Chromium refuses to start as root with its sandbox
        }
        argv.addAll(settings.chromium().extraArgs());
        argv.add(startUrl(profile));
        return argv;
    }

    /**
     * Stops the whole tree (SIGTERM, SIGKILL after half a second), waiting at most 30 s, also when
     * the open it ends was interrupted (the runner stopping): else the runner could exit before the
     * SIGKILL and leave a hung browser behind. The interrupt is kept for the caller.
     */
    static void stopQuietly(RunningProcess process) {
        boolean interrupted = Thread.interrupted();
        try {
            process.stop(Duration.ofMillis(500)).get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // stop() already escalated to SIGKILL; what it could not kill it reported in its own message
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String startUrl(ProfileConfig profile) {
        return profile.homepage() == null ? "about:blank" : profile.homepage();
    }
}
