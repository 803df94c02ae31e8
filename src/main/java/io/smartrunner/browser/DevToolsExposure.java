package io.smartrunner.browser;

import io.smartrunner.config.BrowserSettings;

/**
 * What the runner says at start about who can reach its browsers. Chromium's DevTools endpoint
 * has no authentication: any process of any local user that can connect to 127.0.0.1 can drive a
 * browser (its cookies, its pages) and read, through {@code file://} pages, what the browser's
 * user can read. As root (with {@code --no-sandbox}) that is every file of the machine, the API
 * token included (reviewer R6), so a runner that opens browsers as root says so once.
 */
public final class DevToolsExposure {
    private DevToolsExposure() {
    }

    /** The line to say at start, or null. */
    public static String notice(BrowserSettings browser) {
        if (browser.provider() != BrowserSettings.Provider.CHROMIUM || !RunningAsRoot.yes()) {
            return null;
        }
        return "browsers run as root: their DevTools endpoints on 127.0.0.1 have no authentication, so any local user"
                + " of this machine can drive them and read any file through them; run the runner as an"
                + " unprivileged user on a machine whose users you trust (docs/browsers.md, \"Who can reach the"
                + " browsers\")";
    }
}
