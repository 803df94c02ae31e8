package io.smartrunner.engine;

import io.smartrunner.browser.BrowserCause;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.config.ProfileConfig;

/** The engine's close of a profile's browser (on pause, at exit): gracefully, else by force. */
final class BrowserClose {
    private BrowserClose() {
    }

    /**
     * Closes the profile's browser, by force when the graceful close fails.
     *
     * @return what the forced stop threw too (e.g. AdsPower unreachable: the browser may still
     *         run), for the caller's one line; null when the browser is closed
     */
    static RuntimeException closeOrForceStop(BrowserProvider browsers, ProfileConfig profile, BrowserCause cause) {
        try {
            browsers.close(profile, cause);
            return null;
        } catch (RuntimeException e) {
            try {
                browsers.forceStop(profile, cause);
                return null;
            } catch (RuntimeException stillRunning) {
                return stillRunning;
            }
        }
    }
}
