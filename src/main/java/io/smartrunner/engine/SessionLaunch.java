package io.smartrunner.engine;

import io.smartrunner.browser.BrowserCause;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.RecyclePolicy;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.InheritEnv;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.process.EnvInheritance;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.OutputFiles;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.process.SpawnException;
import io.smartrunner.session.SessionContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Launches a staged session off the loop thread: opens (or reuses) the profile's browser, expands
 * the command for this session, starts it, and reports back with a {@link Message.Launched}, then
 * with a {@link Message.Exited} when it exits.
 */
final class SessionLaunch {
    /** Why a launch the runner's stop overtook did not start. */
    static final String NOT_STARTED_STOPPING = "not started: " + SessionLifecycle.SHUTTING_DOWN;
    private static final int SUMMARY_MAX_CHARS = 300;
    private static final int INHERITANCES_KEPT = 64;
    private final SupervisorDeps deps;
    private final Path logDir;
    private final String runnerId;
    private final RecyclePolicy recycle;
    private final LoopInbox inbox;
    /**
     * Each config's inheritance, made once: made per launch it was two copies of the base list, and
     * the child environment's cache then compared it element by element (4 % of the launch
     * threads' samples in a 10 000-profile fleet). A config holds a handful.
     */
    private final Map<InheritEnv, EnvInheritance> inheritances = new ConcurrentHashMap<>();
    /** The browser threads opening a browser for a launch now: a stop interrupts them. */
    private final Set<Thread> opening = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /**
     * @param recycle when a browser is replaced by a fresh one before the next session (browser.recycle)
     * @param inbox   the loop's, told of each launch and each exit
     */
    SessionLaunch(SupervisorDeps deps, BrowserSettings.Recycle recycle, LoopInbox inbox) {
        this.deps = deps;
        this.inbox = inbox;
        this.recycle = new RecyclePolicy(recycle);
        this.logDir = deps.logDir();
        this.runnerId = deps.store().runnerId();
    }

    /**
     * Hands the launch to the launcher's threads: spawning blocks for a while in the kernel, and
     * launches overlap far better than one after another. A profile's browser is opened first on
     * the browser threads ({@link SupervisorDeps#browserWork}): an open can take the browser's
     * whole start timeout, and on the spawn threads four hanging browsers stopped every launch.
     *
     * @return whether the launch reports quietly ({@link LoopInbox#addQuietly}): only one without a
     *         browser, which reports within a spawn's time; the loop bounds its wait until it has.
     *         A launch that opens a browser first may take the browser's whole start timeout, and
     *         reports as any message does (a loop bounding its wait meanwhile would turn 50 times
     *         a second for nothing)
     */
    boolean submit(StagedLaunch staged) {
        if (deps.browsers() == BrowserProvider.none()) {
            deps.spawner().execute(() -> spawn(staged, null, true));
            return true;
        }
        deps.browserWork().execute(() -> {
            Opened browser = openBrowser(staged);
            if (browser == null) {
                return;
            }
            try {
                deps.spawner().execute(() -> spawn(staged, browser.cdpUrl(), false));
            } catch (RejectedExecutionException e) {
                failed(staged, NOT_STARTED_STOPPING);
            }
        });
        return false;
    }

    /**
     * The runner is stopping: a launch still opening its browser is not waited for (an open that
     * hangs would hold the stop for browser.startTimeoutMs); it ends as never started.
     */
    void abandonBrowserOpens() {
        stopping = true;
        opening.forEach(Thread::interrupt);
    }

    /** The profile's browser, open: its DevTools URL, null for a provider without one. */
    private record Opened(String cdpUrl) {
    }

    /** The profile's browser opened, or null when the launch has failed (and the loop was told). */
    private Opened openBrowser(StagedLaunch staged) {
        Thread self = Thread.currentThread();
        opening.add(self);
        try {
            if (stopping) {
                failed(staged, NOT_STARTED_STOPPING);
                return null;
            }
            return new Opened(browserFor(staged.profile(), staged.record().sessionId()));
        } catch (RuntimeException | Error e) { // an Error as in spawn
            failed(staged, stopping ? NOT_STARTED_STOPPING
                    : e instanceof SpawnException ? e.getMessage() : "cannot start: " + e);
            return null;
        } finally {
            opening.remove(self);
            Thread.interrupted(); // an interrupt meant for this open ends with it
        }
    }

    private void spawn(StagedLaunch staged, String cdpUrl, boolean quietly) {
        String profileId = staged.profile().id();
        String sessionId = staged.record().sessionId();
        RunningProcess process;
        // taken before the spawn: a launch thread preempted between the child's start and a stamp
        // taken after it (a loaded machine, seconds) dated the start after the child's kernel-dated
        // exit, and a one-second session was logged as durMs 0
        long launchedNanos = deps.time().nanoTime();
        try {
            process = deps.launcher().launch(spec(staged.profile(), sessionId, cdpUrl));
        } catch (SpawnException e) {
            inbox.add(Message.Launched.failed(profileId, staged.record(), e.getMessage(), e.hostShort()));
            return;
        } catch (RuntimeException | Error e) {
            // an Error too (a native library that will not load, a full heap): uncaught, it ended
            // this thread and the loop never heard of the launch, the profile "spawning" for good
            failed(staged, "cannot start: " + e);
            return;
        }
        // quietly (without a browser, see submit): the loop has nothing to decide until the session
        // ends, and in a crash loop its exit comes within a millisecond; woken for both, the loop
        // turned twice per restart. The exit is reported after the launch, so the loop never sees
        // it first.
        Message.Launched launched = new Message.Launched(profileId, staged.record(), process, null, launchedNanos);
        if (quietly) {
            inbox.addQuietly(launched);
        } else {
            inbox.add(launched);
        }
        if (staged.profile().session().idleTimeoutMs() == 0) {
            // only a session without hang detection is polled as seldom as every 5 s once quiet; one with
            // it is polled every second at least, and a wake at each line of a periodic printer (one
            // after each quiet spell of 2-3 s) would cost the loop a turn a line for less than a second
            process.onOutputAfterQuiet(() -> inbox.add(new Message.OutputWritten(profileId, sessionId)));
        }
        process.onExit().whenComplete((status, ex) -> inbox.add(new Message.Exited(profileId, sessionId,
                status != null ? status : new ExitStatus(-1, null, "lost track of the process: " + ex))));
    }

    private void failed(StagedLaunch staged, String error) {
        inbox.add(Message.Launched.failed(staged.profile().id(), staged.record(), error));
    }

    /**
     * Opens (or reuses) the profile's browser before its session, recycling it first when a
     * browser.recycle limit is reached: between sessions, never during one (the profile's last
     * session has ended). Null without a browser (provider none).
     */
    private String browserFor(ProfileConfig profile, String sessionId) {
        BrowserProvider browsers = deps.browsers();
        try {
            String why = recycle.reason(browsers.use(profile.id(), recycle.needsRss()));
            if (why != null) {
                browsers.recycle(profile, BrowserCause.of(sessionId, why));
            }
            return browsers.open(profile, BrowserCause.session(sessionId)).browserWebSocket();
        } catch (RuntimeException e) {
            throw new SpawnException("cannot open the profile's browser: " + e.getMessage(), e);
        }
    }

    /** @param cdpUrl the profile's browser DevTools WebSocket URL, or null without a browser */
    LaunchSpec spec(ProfileConfig profile, String sessionId, String cdpUrl) {
        SessionSettings s = profile.session();
        SessionContext ctx = new SessionContext(profile.id(), profile.pod(), sessionId, profile.homepage(), cdpUrl);
        Map<String, String> env = new java.util.LinkedHashMap<>(ctx.environment(s.env()));
        env.put(ProcessTable.RUNNER_ID_ENV, runnerId);
        return new LaunchSpec(sessionId, ctx.expand(s.command()), env, s.workingDir(),
                OutputFiles.forProfile(logDir, profile.id(), s.logMaxBytes(), s.logKeepFiles()),
                inheritance(s.inheritEnv()));
    }

    private EnvInheritance inheritance(InheritEnv wanted) {
        EnvInheritance made = inheritances.get(wanted);
        if (made == null) {
            if (inheritances.size() >= INHERITANCES_KEPT) {
                inheritances.clear(); // reloads that changed it again and again
            }
            made = inheritances.computeIfAbsent(wanted,
                    w -> EnvInheritance.safeBase().with(w.all(), w.names()));
        }
        return made;
    }

    /** The command line for the start event, bounded (redacted with every event in PendingWrites). */
    String summary(List<String> argv) {
        String joined = String.join(" ", argv);
        return joined.length() <= SUMMARY_MAX_CHARS ? joined : joined.substring(0, SUMMARY_MAX_CHARS) + "…";
    }
}
