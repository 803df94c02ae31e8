package io.smartrunner.browser;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import java.time.Instant;

/**
 * Something that happened to a profile's browser, before it has a timestamp: the loop stamps it
 * when it writes it ({@link #toRecord}).
 *
 * @param sessionId the session that caused it, or null
 * @param params    at least {@code reason}; where known {@code pid}, {@code ageMs}, {@code sessions}
 * @param durMs     how long a start took, else null
 */
public record BrowserEvent(Kind kind, String pod, String profileId, String sessionId, Params params,
                           Long durMs) {
    public enum Kind {
        /** A browser was launched (or adopted) where none was open. */
        START,
        /** A browser was closed on request (gracefully, or by force when that failed). */
        CLOSE,
        /** An open browser that had exited or stopped answering was replaced by a new one. */
        REPLACE,
        /** {@code browser.recycle}: a working browser was replaced by a fresh one between sessions. */
        RECYCLE,
        /** A browser exited without being asked to. */
        CRASH
    }

    /** The event log line, written at {@code ts}. */
    public EventRecord toRecord(Instant ts) {
        return switch (kind) {
            case START -> Events.browserStarted(ts, pod, profileId, sessionId, params, durMs);
            case CLOSE -> Events.browserClosed(ts, pod, profileId, sessionId, params);
            case REPLACE -> Events.browserReplaced(ts, pod, profileId, sessionId, params, durMs);
            case RECYCLE -> Events.browserRecycled(ts, pod, profileId, sessionId, params, durMs);
            case CRASH -> Events.browserCrashed(ts, pod, profileId, sessionId, params);
        };
    }
}
