package io.smartrunner.event;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the event log, in wire shape. Field order on the wire is exactly:
 * ts, pod, profileId, sessionId, event, type, params, outcome, durMs.
 *
 * @param sessionId null outside a session
 * @param params    insertion-ordered; values are strings, numbers, booleans, null or nested maps
 * @param outcome   null for {@code start}
 * @param durMs     null when not meaningful
 */
public record EventRecord(
        Instant ts,
        String pod,
        String profileId,
        String sessionId,
        String event,
        String type,
        Map<String, Object> params,
        String outcome,
        Long durMs) {

    public EventRecord {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
