package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.CdpException;
import io.smartrunner.browser.cdp.DevToolsEndpoints;
import io.smartrunner.browser.cdp.PageControl;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One AdsPower user's browser through the Local API: started and awaited until ready for a
 * session, stopped and polled until AdsPower reports it inactive (AdsPower has no kill).
 * Thread-safe; the provider keeps which browsers are open.
 */
final class AdsPowerBrowser {
    private static final Duration CDP_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long TARGETS_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final AdsPowerApi api;
    private final BrowserSettings.AdsPower settings;
    private final Duration startTimeout;
    private final TimeSource time;
    private final RateLimiter.Sleeper sleeper;

    AdsPowerBrowser(AdsPowerApi api, BrowserSettings.AdsPower settings, Duration startTimeout, TimeSource time,
                    RateLimiter.Sleeper sleeper) {
        this.api = api;
        this.settings = settings;
        this.startTimeout = startTimeout;
        this.time = time;
        this.sleeper = sleeper;
    }

    /**
     * Starts the profile's user's browser and waits until it is ready; on failure asks AdsPower to stop it.
     *
     * @param withinStep a recovery step's start: bounded by the step's budget ({@link AdsPowerApi#start})
     * @param launched   run once AdsPower has said it started the browser: a failure after it ended a browser that ran
     */
    BrowserEndpoint start(ProfileConfig profile, boolean withinStep, Runnable launched) {
        String user = profile.adspowerUserId();
        AdsPowerApi.Started started;
        try {
            started = api.start(user, withinStep);
        } catch (AdsPowerException e) {
            if (Thread.currentThread().isInterrupted()) { // the runner stopping: AdsPower may be starting it anyway
                stopQuietly(user);
            }
            throw e;
        }
        launched.run();
        String http = "http://127.0.0.1:" + started.debugPort();
        try {
            String ws = started.webSocket() != null ? started.webSocket()
                    : DevToolsEndpoints.browserWebSocketUrl(http, CDP_TIMEOUT);
            BrowserEndpoint endpoint = new BrowserEndpoint(http, ws);
            awaitReady(endpoint, profile);
            return endpoint;
        } catch (RuntimeException e) {
            stopQuietly(user);
            throw e;
        }
    }

    /** Whether AdsPower reports the user's browser active; true when it cannot tell. */
    boolean activeOrUnknown(String user) {
        try {
            return api.active(user);
        } catch (AdsPowerException e) {
            return true; // cannot tell: not called a crash
        }
    }

    /** "Open" means ready for a session: a page exists, has loaded, and shows the homepage when there is one. */
    private void awaitReady(BrowserEndpoint endpoint, ProfileConfig profile) {
        long deadline = time.nanoTime() + startTimeout.toNanos();
        List<DevToolsEndpoints.Target> targets = awaitTargets(endpoint.httpBase(), deadline);
        if (targets.stream().noneMatch(t -> "page".equals(t.type()))) {
            DevToolsEndpoints.newPage(endpoint.httpBase(), "about:blank", CDP_TIMEOUT);
        }
        try (PageControl page = PageControl.open(endpoint, left(deadline))) {
            page.awaitFirstPage("about:blank"); // whatever AdsPower opened, loaded
            if (profile.homepage() != null) {
                page.navigate(profile.homepage());
            }
        }
    }

    /** AdsPower answers {@code start} once the browser is launched; its DevTools may lag a moment behind. */
    private List<DevToolsEndpoints.Target> awaitTargets(String http, long deadline) {
        while (true) {
            try {
                return DevToolsEndpoints.targets(http, CDP_TIMEOUT);
            } catch (CdpException e) {
                if (time.nanoTime() - deadline >= 0) {
                    throw new CdpException("the browser AdsPower started answers no DevTools within "
                            + startTimeout.toMillis() + " ms (browser.startTimeoutMs): " + e.getMessage(), e);
                }
                pause(TARGETS_POLL_NANOS);
            }
        }
    }

    private Duration left(long deadline) {
        long n = deadline - time.nanoTime();
        if (n <= 0) {
            throw new CdpException("the browser's first page did not load within " + startTimeout.toMillis()
                    + " ms (browser.startTimeoutMs)");
        }
        return Duration.ofNanos(n);
    }

    /**
     * Asks AdsPower to stop the user's browser and polls until it reports it inactive.
     *
     * @return false when there was none to stop: AdsPower refused the stop and reports none active
     *         (a browser the provider held open had ended without being asked)
     */
    boolean stop(String user) {
        AdsPowerException refused = null;
        try {
            api.stop(user);
        } catch (AdsPowerException e) {
            if (e.unavailable()) {
                throw e; // asking whether it is active would only ask the failing API again
            }
            refused = e; // e.g. already closed: what counts is what "active" says next
        }
        long deadline = time.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.stopPollTimeoutMs());
        while (api.active(user)) {
            if (refused != null) {
                throw refused;
            }
            if (time.nanoTime() - deadline >= 0) {
                throw new AdsPowerException("AdsPower user_id=" + user + ": still Active "
                        + settings.stopPollTimeoutMs() + " ms after stop (browser.adspower.stopPollTimeoutMs)",
                        "still Active", false, false, null);
            }
            pause(POLL_NANOS);
        }
        return refused == null;
    }

    /**
     * Asks AdsPower to stop the user's browser, also when the open it ends was interrupted (the
     * runner stopping): with the interrupt set the request would fail at once and leave the
     * browser AdsPower had started. The interrupt is kept for the caller.
     */
    void stopQuietly(String user) {
        boolean interrupted = Thread.interrupted();
        try {
            stop(user);
        } catch (SmartRunnerException ignored) {
            // best effort: on a failed open the caller reports its own failure; at exit nobody waits
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void pause(long nanos) {
        try {
            sleeper.sleepNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmartRunnerException("interrupted while waiting for AdsPower's browser");
        }
    }
}
