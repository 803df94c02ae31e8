package io.smartrunner.browser;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.DevToolsEndpoints;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

/** Small checks both providers make of a browser they hold. */
final class BrowserChecks {
    private BrowserChecks() {
    }

    /** Whether its DevTools endpoint answers within {@code timeout}. */
    static boolean answers(BrowserEndpoint endpoint, Duration timeout) {
        try {
            DevToolsEndpoints.browserWebSocketUrl(endpoint.httpBase(), timeout);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The failure's message on one line (the cause's, for an ExecutionException). */
    static String oneLine(Throwable e) {
        Throwable c = e.getCause() != null && e instanceof ExecutionException ? e.getCause() : e;
        return String.valueOf(c.getMessage()).replace('\n', ' ');
    }
}
