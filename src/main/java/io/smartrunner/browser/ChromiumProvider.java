package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.CdpClient;
import io.smartrunner.browser.cdp.CdpException;
import io.smartrunner.browser.cdp.DevToolsEndpoints;
import io.smartrunner.browser.cdp.PageControl;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.process.EnvInheritance;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.OutputFiles;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunTag;
import io.smartrunner.process.RunningProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The embedded provider: the machine's Chromium, one process tree per profile with its own
 * user-data-dir under the data dir and DevTools on 127.0.0.1 at a port Chromium picks
 * ({@code --remote-debugging-port=0}, read back from {@code DevToolsActivePort}). Launched like a
 * session (own process group, tagged with the runner's id), so stopping it or a crashed runner's
 * successor leaves none of its processes behind. A browser a previous runner of the same data
 * dir left running ({@code closeOnExit: false}) is adopted when it still answers, else stopped
 * before a fresh one starts (see {@link LeftBrowser}).
 */
public final class ChromiumProvider implements BrowserProvider {
    /** Browser processes carry SR_SESSION_ID={@value}&lt;profile&gt;-&lt;uuid&gt;: a run of its own, not a session. */
    private static final List<String> LOCKS = List.of("SingletonLock", "SingletonSocket", "SingletonCookie");
    private static final Duration CDP_TIMEOUT = Duration.ofSeconds(5);
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private final BrowserSettings settings;
    private final Path binary;
    private final Path profilesDir;
    private final Path logDir;
    private final ProcessLauncher launcher;
    private final String runnerId;
    private final LeftBrowser left;
    private final Map<String, Opened> open = new ConcurrentHashMap<>();

    private record Opened(RunningProcess process, BrowserEndpoint endpoint) {
    }

    /**
     * @param processes finds (and adopts or stops) browsers a previous runner of this data dir left
     * @throws SmartRunnerException when no Chromium binary is installed, saying how to get one
     */
    public ChromiumProvider(BrowserSettings settings, Path profilesDir, Path logDir, ProcessLauncher launcher,
                            ProcessTable processes, String runnerId) {
        this.settings = settings;
        this.binary = ChromiumBinary.find(settings.chromium().binary());
        this.profilesDir = profilesDir;
        this.logDir = logDir;
        this.launcher = launcher;
        this.runnerId = runnerId;
        this.left = new LeftBrowser(processes, runnerId, CDP_TIMEOUT);
    }

    @Override
    public BrowserEndpoint open(ProfileConfig profile) {
        Opened o = open.get(profile.id());
        if (o != null && !o.process().onExit().isDone() && answers(o.endpoint())) {
            return o.endpoint();
        }
        if (o != null) {
            forceStop(profile);
        } else {
            Opened adopted = adoptLeftover(profile.id(), startUrl(profile));
            if (adopted != null) {
                return adopted.endpoint();
            }
        }
        return launch(profile).endpoint();
    }

    /** The browser a previous runner left for this profile, if it still answers; null otherwise. */
    private Opened adoptLeftover(String profileId, String startUrl) {
        return left.takeOver(profileId, profilesDir.resolve(profileId), startUrl).map(a -> {
            Opened o = new Opened(a.process(), a.endpoint());
            open.put(profileId, o);
            return o;
        }).orElse(null);
    }

    @Override
    public BrowserStatus status(String profileId) {
        Opened o = open.get(profileId);
        return o == null ? BrowserStatus.CLOSED : new BrowserStatus(true, o.process().pid());
    }

    /** Also adopts the profile's browser a previous runner left, so recovery steps act on it as it is. */
    @Override
    public BrowserEndpoint current(String profileId) {
        Opened o = open.get(profileId);
        if (o == null) {
            o = adoptLeftover(profileId, "about:blank");
        }
        return o == null ? null : o.endpoint();
    }

    private Opened launch(ProfileConfig profile) {
        Path dir = profilesDir.resolve(profile.id());
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("DevToolsActivePort"));
            clearLocks(dir);
        } catch (IOException e) {
            throw new SmartRunnerException(dir + ": cannot prepare the browser profile: " + e.getMessage(), e);
        }
        String runId = RunTag.browser(profile.id());
        Path log = logDir.resolve(profile.id() + ".browser.log");
        var session = profile.session();
        // the safe base, a display if there is one, and what the user lets the profile's children inherit
        LaunchSpec spec = new LaunchSpec(runId, argv(dir, profile), Map.of("SR_SESSION_ID", runId,
                ProcessTable.RUNNER_ID_ENV, runnerId, "SR_PROFILE_ID", profile.id(), "SR_POD", profile.pod()), dir,
                new OutputFiles(log, log, session.logMaxBytes(), session.logKeepFiles()),
                EnvInheritance.browser().with(session.inheritEnv().all(), session.inheritEnv().names()));
        RunningProcess process = launcher.launch(spec);
        try {
            BrowserEndpoint endpoint = DevToolsPortFile.await(dir.resolve("DevToolsActivePort"), process,
                    Duration.ofMillis(settings.startTimeoutMs()));
            String http = endpoint.httpBase();
            if (DevToolsEndpoints.targets(http, CDP_TIMEOUT).stream().noneMatch(t -> "page".equals(t.type()))) {
                DevToolsEndpoints.newPage(http, startUrl(profile), CDP_TIMEOUT);
            }
            // "open" means ready for a session: the first page has finished loading
            try (PageControl page = PageControl.open(endpoint, Duration.ofMillis(settings.startTimeoutMs()))) {
                page.awaitFirstPage(startUrl(profile));
            }
            Opened o = new Opened(process, endpoint);
            open.put(profile.id(), o);
            return o;
        } catch (RuntimeException e) {
            stopQuietly(process);
            throw e;
        }
    }

    private List<String> argv(Path dir, ProfileConfig profile) {
        List<String> argv = new ArrayList<>();
        if (RunningAsRoot.yes() && Files.isExecutable(SETPRIV)) {
            // as root Chromium raises some of its threads to nice -8 and can starve the runner's loop
            argv.addAll(List.of(SETPRIV.toString(), "--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "--"));
        }
        argv.addAll(List.of(binary.toString(),
                "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
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

    private static String startUrl(ProfileConfig profile) {
        return profile.homepage() == null ? "about:blank" : profile.homepage();
    }

    @Override
    public void close(ProfileConfig profile) {
        if (!open.containsKey(profile.id())) {
            adoptLeftover(profile.id(), startUrl(profile)); // a leftover is closed like one of ours
        }
        Opened o = open.get(profile.id());
        if (o == null) {
            return;
        }
        try (CdpClient browser = CdpClient.connect(java.net.URI.create(o.endpoint().browserWebSocket()), CDP_TIMEOUT)) {
            browser.send("Browser.close", Map.of(), CDP_TIMEOUT).get(CDP_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new CdpException("closing the browser of " + profile.id() + " failed: " + oneLine(e), e);
        }
        try {
            o.process().onExit().get(settings.startTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new CdpException("the browser of " + profile.id() + " did not exit after Browser.close", e);
        }
        stopQuietly(o.process()); // helpers (zygote, GPU...) that outlive the main process
        clearLocks(profilesDir.resolve(profile.id()));
        open.remove(profile.id());
    }

    @Override
    public void forceStop(ProfileConfig profile) {
        if (!open.containsKey(profile.id())) {
            adoptLeftover(profile.id(), startUrl(profile)); // a leftover is stopped like one of ours
        }
        Opened o = open.remove(profile.id());
        if (o != null) {
            stopQuietly(o.process());
        }
        clearLocks(profilesDir.resolve(profile.id()));
    }

    @Override
    public void close() {
        open.forEach((id, o) -> {
            stopQuietly(o.process());
            clearLocks(profilesDir.resolve(id));
        });
        open.clear();
    }

    private static boolean answers(BrowserEndpoint endpoint) {
        try {
            DevToolsEndpoints.browserWebSocketUrl(endpoint.httpBase(), CDP_TIMEOUT);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void stopQuietly(RunningProcess process) {
        try {
            process.stop(Duration.ofMillis(500)).get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // stop() already escalated to SIGKILL; what it could not kill it reported in its own message
        }
    }

    /** After a kill -9, Chromium's singleton files would make the next start hand over to a dead process. */
    private static void clearLocks(Path dir) {
        removeSocketDir(dir.resolve("SingletonSocket"));
        for (String name : LOCKS) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException ignored) {
                // a leftover lock only costs Chromium a warning
            }
        }
    }

    /** SingletonSocket links into a /tmp/org.chromium.Chromium.* dir that a killed browser leaves behind. */
    private static void removeSocketDir(Path link) {
        try {
            if (!Files.isSymbolicLink(link)) {
                return;
            }
            Path socketDir = Files.readSymbolicLink(link).getParent();
            if (socketDir != null && socketDir.getFileName().toString().startsWith("org.chromium.Chromium.")) {
                try (var files = Files.list(socketDir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(socketDir);
            }
        } catch (IOException ignored) {
            // only a few bytes in /tmp
        }
    }

    private static String oneLine(Throwable e) {
        Throwable c = e.getCause() != null && e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
        return String.valueOf(c.getMessage()).replace('\n', ' ');
    }
}
