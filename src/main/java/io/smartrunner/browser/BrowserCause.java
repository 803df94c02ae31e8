package io.smartrunner.browser;

/**
 * Why the engine asks the provider to open, close or replace a profile's browser: what its
 * browser events say ({@code reason}) and which session it is for.
 *
 * @param sessionId  the session that caused it, or null (a pause, a recovery step, the runner's exit)
 * @param reason     one line, e.g. "session needs it", "closeOnPause"
 * @param forSession the browser is opened to serve this session: it counts towards
 *                   {@code browser.recycle.afterSessions}
 * @param withinStep a recovery step does it: all of it must fit in the step's
 *                   {@code recovery.stepTimeoutMs} (a remote provider's start is bounded by it)
 */
public record BrowserCause(String sessionId, String reason, boolean forSession, boolean withinStep) {
    /** Opened for a session that is about to start. */
    public static BrowserCause session(String sessionId) {
        return new BrowserCause(sessionId, "session needs it", true, false);
    }

    /** Anything else: a pause, a removed profile, the runner's exit. */
    public static BrowserCause of(String sessionId, String reason) {
        return new BrowserCause(sessionId, reason, false, false);
    }

    /** A recovery step's. */
    public static BrowserCause step(String sessionId, String reason) {
        return new BrowserCause(sessionId, reason, false, true);
    }
}
