package io.smartrunner.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.smartrunner.engine.ManualRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;

/**
 * Reads and checks the JSON bodies of mutations: at most 64 KiB, an object, and for a pause
 * exactly the fields it takes; every refusal is a 4xx naming the field.
 */
final class RequestBodies {
    private static final int MAX_BODY_BYTES = 64 * 1024;
    static final long MAX_PAUSE_MS = 365L * 86_400_000;

    private RequestBodies() {
    }

    /** The body as a JSON object ({} when empty). */
    static JsonNode object(HttpExchange ex) throws IOException {
        byte[] bytes = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiError(413, "body: larger than 64 KiB");
        }
        if (bytes.length == 0) {
            return ApiHandler.JSON.createObjectNode();
        }
        try {
            JsonNode n = ApiHandler.JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiError(400, "body: expected a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ApiError(400, "body: malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        }
    }

    /** {@code {"durationMs": 1..1 year, "reason": "at most 500 characters"}}. */
    static ManualRequest pause(String id, JsonNode body, String by) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("durationMs") && !field.equals("reason")) {
                throw new ApiError(400, field + ": unknown field; expected durationMs and optionally reason");
            }
        }
        JsonNode d = body.get("durationMs");
        if (d == null || !d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 1 || d.asLong() > MAX_PAUSE_MS) {
            throw new ApiError(400, "durationMs: expected an integer from 1 to " + MAX_PAUSE_MS
                    + (d == null ? ", got nothing" : ", got " + Query.clip(d.toString())));
        }
        JsonNode r = body.get("reason");
        if (r != null && (!r.isTextual() || r.asText().length() > 500)) {
            throw new ApiError(400, "reason: expected a string of at most 500 characters");
        }
        return new ManualRequest.Pause(id, Duration.ofMillis(d.asLong()), r == null ? "paused by hand" : r.asText(), by);
    }
}
