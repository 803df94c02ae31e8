package io.smartrunner.browser;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.ProfileConfig;

/**
 * Opens, closes and restarts a profile's browser. A profile's browser is opened before its first
 * session and kept across sessions; each session gets its DevTools endpoint. Implementations are
 * thread-safe. Calls for one profile can come from several threads at once (a pause's close and
 * the runner's exit close, a recovery step its timeout abandoned and the next session's open): the
 * chromium provider runs them one at a time ({@code OnePerProfile}).
 */
public interface BrowserProvider extends AutoCloseable {
    /**
     * {@code browser.provider: none}: opening gives {@link BrowserEndpoint#NONE}, closing and
     * stopping do nothing, no browser is ever current or open. One instance.
     */
    static BrowserProvider none() {
        return NoBrowser.INSTANCE;
    }

    /**
     * Opens the profile's browser, or returns the endpoint of the one already open and answering
     * ({@link BrowserEndpoint#NONE} from {@link #none()}).
     */
    BrowserEndpoint open(ProfileConfig profile);

    /** Closes it gracefully (the browser is asked to quit); fails if it does not. */
    void close(ProfileConfig profile);

    /** Stops everything of the profile's browser by force and clears what a kill leaves behind. */
    void forceStop(ProfileConfig profile);

    /**
     * The endpoint of the profile's open browser, or null. A provider that adopts browsers a
     * previous runner left running (chromium, closeOnExit false) may adopt one here.
     */
    BrowserEndpoint current(String profileId);

    /**
     * As {@link #current(String)}, for a caller that has the profile (a recovery step): a browser
     * adopted here is then told as a {@code browser-start} ({@code adopted: true}), as one adopted
     * for a session is; by id alone it was adopted without a word.
     */
    default BrowserEndpoint current(ProfileConfig profile) {
        return current(profile.id());
    }

    /**
     * What an operator may see of the profile's browser, without side effects (no adoption, no
     * request to the browser): whether this provider holds it open and, for a local one, its pid.
     * Never its DevTools endpoint, which is a credential. Cheap; callable from any thread.
     */
    BrowserStatus status(String profileId);

    /**
     * Whether the profile's open browser is stopped by a signal (SIGSTOP): it answers nothing until
     * continued, so a step that asks it something fails at once instead of waiting out its timeout.
     * A provider whose browsers are not its own processes (AdsPower) cannot tell: false.
     */
    default boolean stopped(String profileId) {
        return false;
    }

    /**
     * Where to report browser starts, closes, replacements, recycles and crashes (the engine's
     * inbox); called once before the first session. A provider without events ignores it.
     */
    default void listen(BrowserEvents events) {
    }

    /** {@link #open(ProfileConfig)} for {@code cause}: its events name it, a session's open counts as served. */
    default BrowserEndpoint open(ProfileConfig profile, BrowserCause cause) {
        return open(profile);
    }

    /** {@link #close(ProfileConfig)}, with the reason its event gives. */
    default void close(ProfileConfig profile, BrowserCause cause) {
        close(profile);
    }

    /** {@link #forceStop(ProfileConfig)}, with the reason its event gives. */
    default void forceStop(ProfileConfig profile, BrowserCause cause) {
        forceStop(profile);
    }

    /**
     * Closes the profile's open browser (by force if it does not close) and starts a fresh one
     * ({@code browser.recycle}, between sessions); nothing when none is open.
     */
    default void recycle(ProfileConfig profile, BrowserCause cause) {
        if (current(profile.id()) == null) {
            return;
        }
        try {
            close(profile, cause);
        } catch (RuntimeException e) {
            forceStop(profile, cause);
        }
        open(profile, BrowserCause.of(cause.sessionId(), cause.reason()));
    }

    /**
     * How much the profile's open browser has been used, or null when none is open (or the
     * provider does not track it).
     *
     * @param measureRss also sum its processes' resident memory (a /proc scan), else rssBytes is -1
     */
    default BrowserUse use(String profileId, boolean measureRss) {
        return null;
    }

    /** Closes every browser this provider opened (runner exit). */
    @Override
    void close();
}
