package io.smartrunner.browser;

import io.smartrunner.config.BrowserSettings;

/**
 * What the runner says at start about who can reach its browsers. Chromium's DevTools endpoint
 * has no authentication: any process of any local user that can connect to 127.0.0.1 can drive a
 * browser (its cookies, its pages) and read, through {@code file://} pages, what the browser's
 * user can read. As root (with {@code --no-sandbox}) that is every file of the machine, the API
 * token included (reviewer R6). A root runner closes the ports to other users with nftables
 * ({@link DevToolsGuard}) and says so, since it changes the machine's firewall; where it cannot,
 * it says that any local user can drive its browsers, and why there is no guard.
 */
public final class DevToolsExposure {
    private DevToolsExposure() {
    }

    /** The line to say at start, or null (no Chromium, or not root: other users reach only that user's files). */
    public static String notice(BrowserSettings browser, DevToolsGuard guard) {
        if (browser.provider() != BrowserSettings.Provider.CHROMIUM || !RunningAsRoot.yes()) {
            return null;
        }
        if (guard != null && guard.active()) {
            return "browsers run as root: their DevTools ports are closed to every other user of this machine by "
                    + guard.describe() + " (only root's connections reach them; docs/browsers.md, \"Who can reach the"
                    + " browsers\")";
        }
        return "browsers run as root: their DevTools endpoints on 127.0.0.1 have no authentication, so any local user"
                + " of this machine can drive them and read any file through them (no guard: "
                + (guard == null ? "none made" : guard.describe()) + "); run the runner as an"
                + " unprivileged user on a machine whose users you trust (docs/browsers.md, \"Who can reach the"
                + " browsers\")";
    }
}
