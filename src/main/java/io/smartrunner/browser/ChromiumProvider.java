package io.smartrunner.browser;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.Params;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.BrowserEvent.Kind;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.CdpException;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunMembers;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded provider: the machine's Chromium, one process tree per profile with its own
 * user-data-dir under the data dir and DevTools on 127.0.0.1 at a port Chromium picks, or, for a
 * root runner, one the runner picks and closes to other users first ({@link DevToolsGuard}; see
 * {@link ChromiumLaunch}). A browser a previous runner of the same data dir left running
 * ({@code closeOnExit: false}) is adopted when it still answers, else stopped before a fresh one
 * starts (see {@link LeftBrowser}). Every start, close, replacement, recycle and crash is told to
 * the listener ({@link BrowserNews}); after a close whatever is left of the tree (helpers,
 * crash handlers) is stopped and counted ({@code swept}). Calls for one profile run one at a time
 * ({@link OnePerProfile}).
 * <p>Just over 250 lines: the provider's lifecycle (ensure, replace, recycle, close, crash watch);
 * launch, profile directories and quitting are ChromiumLaunch, ChromiumProfileDir and
 * ChromiumQuit.
 */
public final class ChromiumProvider implements BrowserProvider {
    private static final Duration CDP_TIMEOUT = Duration.ofSeconds(5);

    private final BrowserSettings settings;
    private final Path profilesDir;
    private final ChromiumLaunch launch;
    private final LeftBrowser left;
    private final BrowserNews news;
    private final Map<String, Opened> open = new ConcurrentHashMap<>();
    private final OnePerProfile oneAtATime = new OnePerProfile();
    private final DevToolsGuard guard;

    private record Opened(RunningProcess process, String runId, BrowserEndpoint endpoint, BrowserLife life) {
    }

    /**
     * Before anything is opened: a configured binary that cannot run is the config file's mistake, said
     * as every other one is (its file and key, exit 2; reviewer R24: it was the one config error
     * without them, exit 1, found after the store and the event log were opened); no Chromium at all
     * is the machine's (exit 1, saying how to install it).
     */
    public static void requireBinary(BrowserSettings settings, Path configFile) {
        Path configured = settings.chromium().binary();
        if (configured == null) {
            ChromiumBinary.find(null);
        } else if (!ChromiumBinary.runs(configured)) {
            throw new io.smartrunner.config.ConfigException(configFile + ": $." + ChromiumBinary.notExecutable(configured));
        }
    }

    /**
     * @param processes finds (and adopts or stops) browsers a previous runner of this data dir left
     * @throws SmartRunnerException when no Chromium binary is installed, saying how to get one
     */
    public ChromiumProvider(BrowserSettings settings, Path profilesDir, Path logDir, ProcessLauncher launcher,
                            ProcessTable processes, String runnerId) {
        this.settings = settings;
        this.profilesDir = profilesDir;
        Path binary = ChromiumBinary.find(settings.chromium().binary());
        this.guard = DevToolsGuard.forRunner(runnerId, profilesDir);
        guard.keepLeftBrowsers(profilesDir); // closed now, not only once each is adopted
        this.launch = new ChromiumLaunch(settings, binary, logDir, launcher, runnerId, CDP_TIMEOUT, guard);
        this.left = new LeftBrowser(processes, runnerId, CDP_TIMEOUT);
        this.news = new BrowserNews(TimeSource.system()); // browser ages: the monotonic clock
    }

    @Override
    public void listen(BrowserEvents events) {
        news.listen(events);
    }

    @Override
    public BrowserEndpoint open(ProfileConfig profile) {
        return open(profile, BrowserCause.of(null, "asked to open"));
    }

    @Override
    public BrowserEndpoint open(ProfileConfig profile, BrowserCause cause) {
        return oneAtATime.call(profile.id(), () -> openNow(profile, cause));
    }

    private BrowserEndpoint openNow(ProfileConfig profile, BrowserCause cause) {
        Opened o = open.get(profile.id());
        if (o != null && !o.process().onExit().isDone() && BrowserChecks.answers(o.endpoint(), CDP_TIMEOUT)) {
            return served(o, cause);
        }
        long t0 = news.nanoTime();
        if (o != null) { // replaced, never silently: why, and what was left of the old one
            String why = o.process().onExit().isDone() ? BrowserNews.exited(o.process().onExit().join())
                    : "not answering on CDP";
            int swept = end(o, profile.id());
            Opened fresh = launch(profile, cause, why, o, swept);
            news.replaced(Kind.REPLACE, profile, cause, why, o.life(), fresh.life(), t0, swept);
            return served(fresh, cause);
        }
        Opened adopted = adoptLeftover(profile, ChromiumLaunch.startUrl(profile));
        if (adopted != null) {
            news.started(profile, cause, "adopted from the previous runner", adopted.life(), t0,
                    Params.builder().put(EventParams.ADOPTED, true).build());
            return served(adopted, cause);
        }
        Opened fresh = launch(profile, cause, cause.reason(), null, 0);
        news.started(profile, cause, cause.reason(), fresh.life(), t0);
        return served(fresh, cause);
    }

    private BrowserEndpoint served(Opened o, BrowserCause cause) {
        if (cause.forSession()) {
            o.life().served();
        }
        return o.endpoint();
    }

    @Override
    public void recycle(ProfileConfig profile, BrowserCause cause) {
        oneAtATime.run(profile.id(), () -> recycleNow(profile, cause));
    }

    private void recycleNow(ProfileConfig profile, BrowserCause cause) {
        Opened o = open.get(profile.id());
        if (o == null) {
            return;
        }
        long t0 = news.nanoTime();
        int swept;
        try {
            swept = closeGracefully(o, profile.id());
        } catch (RuntimeException e) {
            swept = end(o, profile.id());
        }
        Opened fresh = launch(profile, cause, cause.reason(), o, swept);
        news.replaced(Kind.RECYCLE, profile, cause, cause.reason(), o.life(), fresh.life(), t0, swept);
    }

    @Override
    public BrowserUse use(String profileId, boolean measureRss) {
        Opened o = open.get(profileId);
        return o == null ? null : new BrowserUse(o.life().pid(), o.life().ageMs(news.nanoTime()), o.life().sessions(),
                measureRss ? RunMembers.rssBytes(o.process(), o.runId()) : -1);
    }

    /** The browser a previous runner left for this profile, if it still answers; null otherwise. */
    private Opened adoptLeftover(ProfileConfig profile, String startUrl) {
        Opened o = left.takeOver(profile.id(), profilesDir.resolve(profile.id()), startUrl,
                        pid -> news.leftStopped(profile, pid))
                .map(a -> track(profile, a.process(), a.runId(), a.endpoint())).orElse(null);
        if (o != null) {
            try {
                guard.guard(DevToolsGuard.portOf(o.endpoint().httpBase())); // in the set already, unless its table was lost
            } catch (IllegalStateException e) {
                end(o, profile.id());
                throw e;
            }
        }
        return o;
    }

    /** Whether the browsers' DevTools ports are closed to other users, or why not (the start's line). */
    public DevToolsGuard guard() {
        return guard;
    }

    /**
     * Launches the profile's browser for {@code cause}. A failed launch is logged all the same:
     * first the end of the browser it replaces, if any (a close with {@code startFailed}), then,
     * if a Chromium ran before it failed (not ready in time, a recovery step's timeout
     * interrupting it), that browser's start and its forced close: none starts or ends unlogged.
     */
    private Opened launch(ProfileConfig profile, BrowserCause cause, String reason, Opened replaced, int swept) {
        long t0 = news.nanoTime();
        try {
            ChromiumLaunch.Started s = launch.start(profile, profilesDir.resolve(profile.id()));
            return track(profile, s.process(), s.runId(), s.endpoint());
        } catch (RuntimeException e) {
            String why = BrowserChecks.oneLine(e);
            if (replaced != null) {
                news.ended(Kind.CLOSE, profile, cause.sessionId(), reason, replaced.life(),
                        Params.builder().put(EventParams.SWEPT, swept).put(EventParams.START_FAILED, why).build());
            }
            if (e instanceof ChromiumLaunch.StartFailed f) {
                BrowserLife life = new BrowserLife(f.pid(), t0);
                news.started(profile, cause, reason, life, t0);
                life.ending();
                news.ended(Kind.CLOSE, profile, cause.sessionId(), reason, life, Params.builder()
                        .put(EventParams.SWEPT, f.swept()).put(EventParams.FORCED, true)
                        .put(EventParams.START_FAILED, why).build());
            }
            throw e;
        }
    }

    /** Holds it open and watches for an exit nobody asked for: that is a crash, and said so at once. */
    private Opened track(ProfileConfig profile, RunningProcess process, String runId, BrowserEndpoint endpoint) {
        Opened o = new Opened(process, runId, endpoint, news.born(process.pid()));
        open.put(profile.id(), o);
        process.onExit().thenAccept(status -> {
            guard.releaseSoon(DevToolsGuard.portOf(endpoint.httpBase())); // not on the reaper's thread: nft is a process
            if (!o.life().endingAsked()) {
                news.ended(Kind.CRASH, profile, null, BrowserNews.exited(status), o.life(),
                        Params.builder().put(EventParams.EXIT_CODE, status.exitCode()).put(EventParams.SIGNAL,
                                status.signal()).build());
            }
        });
        return o;
    }

    @Override
    public BrowserStatus status(String profileId) {
        Opened o = open.get(profileId);
        return o == null ? BrowserStatus.CLOSED : new BrowserStatus(true, o.process().pid());
    }

    @Override
    public boolean stopped(String profileId) {
        Opened o = open.get(profileId);
        return o != null && !o.process().onExit().isDone() && o.process().signalStopped();
    }

    /** Also adopts the profile's browser a previous runner left, so recovery steps act on it as it is. */
    @Override
    public BrowserEndpoint current(String profileId) {
        return oneAtATime.call(profileId, () -> currentNow(profileId, null));
    }

    @Override
    public BrowserEndpoint current(ProfileConfig profile) {
        return oneAtATime.call(profile.id(), () -> currentNow(profile.id(), profile));
    }

    /**
     * @param profile to tell an adoption with (null: asked by id only, nothing to name its pod with)
     * @return null also for a held browser that has exited (its crash told already): a recovery
     *         step then opens a fresh one (its {@code browser-replace} says why) instead of calling
     *         the dead one's DevTools port, which cost a crash mid-ladder two or three steps (reviewer R17)
     */
    private BrowserEndpoint currentNow(String profileId, ProfileConfig profile) {
        Opened o = open.get(profileId);
        if (o != null && o.process().onExit().isDone()) {
            return null;
        }
        if (o == null) { // not computeIfAbsent: taking over asks the browser over HTTP
            long t0 = news.nanoTime();
            o = left.takeOver(profileId, profilesDir.resolve(profileId), "about:blank",
                            pid -> news.leftStopped(profile, pid))
                    .map(a -> new Opened(a.process(), a.runId(), a.endpoint(), news.born(a.process().pid())))
                    .orElse(null);
            if (o != null) {
                try {
                    guard.guard(DevToolsGuard.portOf(o.endpoint().httpBase())); // never released: held until the stop
                } catch (IllegalStateException e) {
                    end(o, profileId); // not left running untracked, its port perhaps open (code review)
                    throw e;
                }
                open.put(profileId, o);
                if (profile != null) {
                    news.started(profile, BrowserCause.of(null, "a recovery step needs it"),
                            "adopted from the previous runner", o.life(), t0,
                            Params.builder().put(EventParams.ADOPTED, true).build());
                }
            }
        }
        return o == null ? null : o.endpoint();
    }

    @Override
    public void close(ProfileConfig profile) {
        close(profile, BrowserCause.of(null, "asked to close"));
    }

    @Override
    public void close(ProfileConfig profile, BrowserCause cause) {
        oneAtATime.run(profile.id(), () -> closeNow(profile, cause));
    }

    /**
     * A second close waiting meanwhile then finds none open: one close, one event. One that has
     * exited (its crash told already) is not asked to quit: what it left is stopped, its locks
     * cleared, and it is forgotten (asking failed "connection refused", and reopenProfile with it).
     */
    private void closeNow(ProfileConfig profile, BrowserCause cause) {
        Opened o = heldOrLeft(profile);
        if (o != null && o.process().onExit().isDone()) {
            end(o, profile.id());
            return;
        }
        if (o != null) {
            int swept = closeGracefully(o, profile.id());
            news.ended(Kind.CLOSE, profile, cause.sessionId(), cause.reason(), o.life(),
                    Params.builder().put(EventParams.SWEPT, swept).build());
        }
    }

    /** Browser.close, then waits for its exit and stops what outlived it; the count of those. */
    private int closeGracefully(Opened o, String profileId) {
        o.life().ending();
        o.process().exitAsked(true); // what it leaves is end()'s to stop and count
        try {
            ChromiumQuit.ask(o.endpoint(), o.process(), CDP_TIMEOUT, Duration.ofMillis(settings.startTimeoutMs()),
                    profileId);
        } catch (CdpException e) {
            if (!o.process().onExit().isDone()) {
                o.life().notEnding(); // still running: an exit from now on is news again
                o.process().exitAsked(false);
            }
            throw e;
        }
        return end(o, profileId); // helpers (zygote, GPU, crash handler...) that outlive the main process
    }

    @Override
    public void forceStop(ProfileConfig profile) {
        forceStop(profile, BrowserCause.of(null, "asked to stop"));
    }

    @Override
    public void forceStop(ProfileConfig profile, BrowserCause cause) {
        oneAtATime.run(profile.id(), () -> forceStopNow(profile, cause));
    }

    private void forceStopNow(ProfileConfig profile, BrowserCause cause) {
        Opened o = heldOrLeft(profile);
        if (o != null) {
            int swept = end(o, profile.id());
            news.ended(Kind.CLOSE, profile, cause.sessionId(), cause.reason(), o.life(),
                    Params.builder().put(EventParams.SWEPT, swept).put(EventParams.FORCED, true).build());
        }
        ChromiumProfileDir.clearLocks(profilesDir.resolve(profile.id()));
    }

    /** The profile's browser, or the one a previous runner left (closed or stopped like one of ours). */
    private Opened heldOrLeft(ProfileConfig profile) {
        Opened o = open.get(profile.id());
        return o != null ? o : adoptLeftover(profile, ChromiumLaunch.startUrl(profile));
    }

    /** Stops what is left of its tree, clears its locks, forgets it; how many processes were still alive. */
    private int end(Opened o, String profileId) {
        o.life().ending();
        int alive = RunMembers.alive(o.process(), o.runId());
        ChromiumLaunch.stopQuietly(o.process());
        ChromiumProfileDir.clearLocks(profilesDir.resolve(profileId));
        open.remove(profileId, o);
        return alive;
    }

    @Override
    public void close() {
        open.forEach((id, o) -> end(o, id));
        open.clear();
        guard.remove(); // every browser is closed: nothing left to guard
    }

}
