package io.smartrunner.browser;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.Params;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RecoverySettings;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code adspower} provider: each profile's browser is AdsPower's browser of the profile's
 * {@code adspowerUserId}, started and stopped through AdsPower's Local API; the DevTools endpoint
 * AdsPower returns is used for CDP. All requests of one provider (one AdsPower instance) share
 * one rate limit of {@code browser.adspower.requestsPerSecond}, so several profiles recovering
 * at once are spaced, not throttled. AdsPower has no kill: {@link #forceStop} and
 * {@link #close(ProfileConfig)} both ask it to stop the browser, then poll until it reports the
 * browser inactive ({@link AdsPowerBrowser}). Starts, closes, replacements, recycles and crashes
 * are told to the listener; AdsPower reports no crash, so one is noticed at the next open.
 * Calls for one profile run one at a time ({@link OnePerProfile}): a close that reached AdsPower
 * while its start was pending stopped the browser the open then handed out. Thread-safe.
 */
public final class AdsPowerProvider implements BrowserProvider {
    /**
     * Requests are spaced 5% wider than 1/rate: AdsPower measures arrivals, and a request that
     * travels a little faster than the one before it would otherwise land inside the limit.
     */
    static final double HEADROOM = 0.95;
    private static final Duration CDP_TIMEOUT = Duration.ofSeconds(5);
    /** Why a browser AdsPower no longer has running ended: nobody asked it to. */
    private static final String CLOSED_BY_ITSELF = "AdsPower reports it closed";

    private final BrowserSettings.AdsPower settings;
    private final TimeSource time;
    private final AdsPowerApi api;
    private final AdsPowerBrowser browser;
    private final Map<String, Opened> open = new ConcurrentHashMap<>();
    private final BrowserNews news;
    /** A recovery step's open, the next session's, a closeOnPause close: one AdsPower call chain per user at a time. */
    private final OnePerProfile oneAtATime = new OnePerProfile();

    private record Opened(String userId, BrowserEndpoint endpoint, BrowserLife life) {
    }

    /**
     * Checks that AdsPower answers ({@code GET /status}) before anything else.
     *
     * @throws SmartRunnerException when it does not, in one line naming {@code browser.adspower.baseUrl}
     */
    public AdsPowerProvider(BrowserSettings settings) {
        this(settings, Duration.ofMillis(RecoverySettings.DEFAULT_STEP_TIMEOUT_MS));
    }

    /**
     * @param stepTimeout {@code recovery.stepTimeoutMs}: a Local API call, its retries included,
     *                    ends within half of it (a start's tries each have {@code browser.startTimeoutMs}),
     *                    so a recovery step fails as AdsPower's before it times out as its own
     */
    public AdsPowerProvider(BrowserSettings settings, Duration stepTimeout) {
        this(settings, stepTimeout, TimeSource.system(), RateLimiter.Sleeper.REAL);
    }

    /** @param time the monotonic clock for the rate limit, backoff and polling deadlines */
    public AdsPowerProvider(BrowserSettings settings, TimeSource time) {
        this(settings, Duration.ofMillis(RecoverySettings.DEFAULT_STEP_TIMEOUT_MS), time, RateLimiter.Sleeper.REAL);
    }

    AdsPowerProvider(BrowserSettings settings, Duration stepTimeout, TimeSource time, RateLimiter.Sleeper sleeper) {
        this.settings = settings.adspower();
        this.time = time;
        this.news = new BrowserNews(time);
        Duration startTimeout = Duration.ofMillis(settings.startTimeoutMs());
        RateLimiter limiter = new RateLimiter(this.settings.requestsPerSecond() * HEADROOM, time::nanoTime, sleeper);
        this.api = new AdsPowerApi(this.settings, startTimeout, stepTimeout.dividedBy(2), limiter, sleeper,
                time::nanoTime);
        this.browser = new AdsPowerBrowser(api, this.settings, startTimeout, time, sleeper);
        checkReachable();
    }

    private void checkReachable() {
        try {
            api.status();
        } catch (AdsPowerException e) {
            String where = "browser.adspower.baseUrl " + settings.baseUrl() + ": ";
            if (e.unreachable()) {
                throw new SmartRunnerException(where + "not reachable (" + e.reason() + "); is AdsPower running?", e);
            }
            boolean refused = e.reason().startsWith("HTTP 401") || e.reason().startsWith("HTTP 403");
            throw new SmartRunnerException(where + "GET /status: " + e.reason()
                    + (refused ? "; check browser.adspower.apiKey" : ""), e);
        }
    }

    @Override
    public void listen(BrowserEvents events) {
        news.listen(events);
    }

    @Override
    public BrowserEndpoint open(ProfileConfig profile) {
        return open(profile, BrowserCause.of(null, "asked to open"));
    }

    /**
     * A browser that stopped answering is replaced, never silently; if AdsPower no longer has it
     * active, it ended without being asked: a crash, noticed here (AdsPower tells no one).
     */
    @Override
    public BrowserEndpoint open(ProfileConfig profile, BrowserCause cause) {
        return oneAtATime.call(profile.id(), () -> openNow(profile, cause));
    }

    private BrowserEndpoint openNow(ProfileConfig profile, BrowserCause cause) {
        Opened known = open.get(profile.id());
        if (known != null && BrowserChecks.answers(known.endpoint(), CDP_TIMEOUT)) {
            return served(known, cause);
        }
        long t0 = time.nanoTime();
        if (known == null) {
            Opened fresh = start(profile, cause, cause.reason(), null);
            news.started(profile, cause, cause.reason(), fresh.life(), t0);
            return served(fresh, cause);
        }
        String why = "not answering on CDP";
        boolean crashed = !browser.activeOrUnknown(known.userId());
        if (crashed) {
            why = CLOSED_BY_ITSELF;
            news.ended(BrowserEvent.Kind.CRASH, profile, null, why, known.life());
        }
        stopHeld(known, profile); // start afresh, not re-attach
        Opened fresh = start(profile, cause, why, crashed ? null : known); // a crash told its end already
        news.replaced(BrowserEvent.Kind.REPLACE, profile, cause, why, known.life(), fresh.life(), t0, 0);
        return served(fresh, cause);
    }

    private BrowserEndpoint served(Opened o, BrowserCause cause) {
        if (cause.forSession()) {
            o.life().served();
        }
        return o.endpoint();
    }

    /**
     * Starts the profile's browser. A failed start is logged all the same, in the Chromium
     * provider's order: first the end of the browser it replaces, if any (stopped just before: a
     * close with {@code startFailed}), then, if AdsPower launched one that then failed (no
     * DevTools, its page not loading in time, the open interrupted) and was stopped again, that
     * one's start and forced close: none runs unlogged.
     *
     * @param replaced the browser just stopped for this start, whose end is told here if the start fails
     */
    private Opened start(ProfileConfig profile, BrowserCause cause, String reason, Opened replaced) {
        long t0 = time.nanoTime();
        AtomicBoolean launched = new AtomicBoolean();
        BrowserEndpoint endpoint;
        try {
            endpoint = browser.start(profile, cause.withinStep(), () -> launched.set(true));
        } catch (RuntimeException e) {
            if (replaced != null) {
                news.ended(BrowserEvent.Kind.CLOSE, profile, cause.sessionId(), reason, replaced.life(),
                        Params.builder().put(EventParams.START_FAILED, BrowserChecks.oneLine(e)).build());
            }
            if (launched.get()) {
                BrowserLife life = news.born(null);
                news.started(profile, cause, reason, life, t0);
                life.ending();
                news.ended(BrowserEvent.Kind.CLOSE, profile, cause.sessionId(), reason, life, Params.builder()
                        .put(EventParams.FORCED, true).put(EventParams.START_FAILED, BrowserChecks.oneLine(e)).build());
            }
            throw e;
        }
        Opened o = new Opened(profile.adspowerUserId(), endpoint, news.born(null));
        open.put(profile.id(), o);
        return o;
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
        long t0 = time.nanoTime();
        stopHeld(o, profile);
        Opened fresh = start(profile, cause, cause.reason(), o);
        news.replaced(BrowserEvent.Kind.RECYCLE, profile, cause, cause.reason(), o.life(), fresh.life(), t0, 0);
    }

    @Override
    public BrowserUse use(String profileId, boolean measureRss) {
        Opened o = open.get(profileId);
        return o == null ? null : new BrowserUse(null, o.life().ageMs(time.nanoTime()), o.life().sessions(), -1);
    }

    @Override
    public BrowserStatus status(String profileId) {
        return open.containsKey(profileId) ? new BrowserStatus(true, null) : BrowserStatus.CLOSED;
    }

    @Override
    public BrowserEndpoint current(String profileId) {
        Opened o = open.get(profileId);
        return o == null ? null : o.endpoint();
    }

    /** Stops the profile's browser even when this provider did not open it (a previous runner may have). */
    @Override
    public void close(ProfileConfig profile) {
        close(profile, BrowserCause.of(null, "asked to close"));
    }

    @Override
    public void close(ProfileConfig profile, BrowserCause cause) {
        oneAtATime.run(profile.id(), () -> stopAndTell(profile, cause, Params.EMPTY));
    }

    @Override
    public void forceStop(ProfileConfig profile) {
        forceStop(profile, BrowserCause.of(null, "asked to stop"));
    }

    @Override
    public void forceStop(ProfileConfig profile, BrowserCause cause) {
        Params forced = Params.builder().put(EventParams.FORCED, true).build();
        oneAtATime.run(profile.id(), () -> stopAndTell(profile, cause, forced));
    }

    /**
     * AdsPower has no kill: a close and a forced stop both ask it to stop the user's browser
     * (even one this provider did not open: a previous runner's), and tell the end of the one it
     * held: a close, or a crash when AdsPower had none running (it had ended unasked).
     */
    private void stopAndTell(ProfileConfig profile, BrowserCause cause, Params closeParams) {
        Opened o = open.get(profile.id());
        boolean wasRunning = o == null ? browser.stop(profile.adspowerUserId()) : stopHeld(o, profile);
        if (o == null) {
            return;
        }
        if (wasRunning) {
            news.ended(BrowserEvent.Kind.CLOSE, profile, cause.sessionId(), cause.reason(), o.life(), closeParams);
        } else {
            news.ended(BrowserEvent.Kind.CRASH, profile, cause.sessionId(), CLOSED_BY_ITSELF, o.life());
        }
    }

    /**
     * Stops a browser this provider holds and forgets it; one AdsPower could not stop (unreachable,
     * refusing) stays held, so its end is still told when a later call stops or replaces it.
     *
     * @return whether it was still running
     */
    private boolean stopHeld(Opened o, ProfileConfig profile) {
        o.life().ending();
        boolean wasRunning;
        try {
            wasRunning = browser.stop(o.userId());
        } catch (RuntimeException e) {
            o.life().notEnding();
            throw e;
        }
        open.remove(profile.id(), o);
        return wasRunning;
    }

    /** Best effort: a browser AdsPower cannot stop is left to it; runner exit is not held up. */
    @Override
    public void close() {
        open.values().forEach(o -> browser.stopQuietly(o.userId()));
        open.clear();
    }
}
