package io.smartrunner.browser;

/**
 * Why the engine asks the provider to open, close or replace a profile's browser: what its
 * browser events say ({@code reason}) and which session it is for.
 *
 * @param sessionId  the session that caused it, or null (a pause, a recovery step, the runner's exit)
 * @param reason     one line, e.g. "session needs it", "closeOnPause"
 * @param forSession the browser is opened to serve this session: it counts towards
 *                   {@code browser.recycle.afterSessions}
 */
public record BrowserCause(String sessionId, String reason, boolean forSession) {
    /** Opened for a session that is about to start. */
    public static BrowserCause session(String sessionId) {
        return new BrowserCause(sessionId, "session needs it", true);
    }

    /** Anything else: a pause, a recovery step, a removed profile. */
    public static BrowserCause of(String sessionId, String reason) {
        return new BrowserCause(sessionId, reason, false);
    }
}
