package io.smartrunner.event;

import java.time.Instant;
import java.util.Map;

/**
 * One line of the event log in wire shape: the JSON codec's raw form, between a line's bytes and
 * its typed {@link EventRecord}. Field order on the wire is exactly: ts, pod, profileId, sessionId,
 * event, type, params, outcome, durMs.
 *
 * <p>Kept (rather than mapping JSON straight to the typed records) because it is the one shape in
 * which any line, of a kind this version knows or not, can be written back byte for byte; the codec
 * ({@link EventKinds}) decides on it whether a line is a known kind, and tests and the line
 * format's own code build lines with it.
 *
 * @param sessionId null outside a session
 * @param params    insertion-ordered; values are strings, numbers, booleans, null or nested maps
 * @param outcome   null for {@code start}
 * @param durMs     null when not meaningful
 */
public record WireEvent(
        Instant ts,
        String pod,
        String profileId,
        String sessionId,
        String event,
        String type,
        Params params,
        String outcome,
        Long durMs) {

    public WireEvent(Instant ts, String pod, String profileId, String sessionId, String event, String type,
                     Map<String, Object> params, String outcome, Long durMs) {
        this(ts, pod, profileId, sessionId, event, type, Params.of(params), outcome, durMs);
    }

    public WireEvent {
        params = params == null ? Params.EMPTY : params;
    }

    Header header() {
        return new Header(ts, pod, profileId, sessionId);
    }
}
