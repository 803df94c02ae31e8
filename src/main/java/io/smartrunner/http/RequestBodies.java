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

    /** One object and nothing after it; a field given twice is a mistake, not "the last one wins". */
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = ApiHandler.JSON.reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private RequestBodies() {
    }

    /** The body as a JSON object ({} when empty). */
    static JsonNode object(HttpExchange ex) throws IOException {
        byte[] bytes;
        try {
            bytes = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            // the client closed the connection, or sent nothing more for http.requestTimeoutMs
            throw new ApiError(400, "body: shorter than its Content-Length (the connection ended or went quiet"
                    + " for http.requestTimeoutMs)");
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiError(413, "body: larger than 64 KiB");
        }
        if (bytes.length == 0) {
            return ApiHandler.JSON.createObjectNode();
        }
        try {
            JsonNode n = STRICT.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiError(400, "body: expected a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new ApiError(400, "body: nested too deeply (or a number or name too long): " + Query.clip(e.getOriginalMessage()));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String what = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                    ? "a field given twice" : e.getOriginalMessage() != null && e.getOriginalMessage().contains("Trailing token")
                    ? "more after the object" : "malformed JSON";
            throw new ApiError(400, "body: " + what + where);
        }
    }

    /** A route that takes no fields gets {@code {}} (or nothing): a field there is a mistake, said, not ignored. */
    static void none(JsonNode body, String route) {
        Iterator<String> fields = body.fieldNames();
        if (fields.hasNext()) {
            throw new ApiError(400, Query.clip(fields.next()) + ": unknown field; " + route + " takes none (send {})");
        }
    }

    /** {@code {"durationMs": 1..1 year, "reason": "at most 500 characters"}}. */
    static ManualRequest pause(String id, JsonNode body, String by) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("durationMs") && !field.equals("reason")) {
                throw new ApiError(400, Query.clip(field) + ": unknown field; expected durationMs and optionally reason");
            }
        }
        JsonNode d = body.get("durationMs");
        if (d == null || !d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 1 || d.asLong() > MAX_PAUSE_MS) {
            throw new ApiError(400, "durationMs: expected an integer from 1 to " + MAX_PAUSE_MS
                    + (d == null ? ", got nothing" : ", got " + Query.clip(d.toString())));
        }
        JsonNode r = body.get("reason");
        if (r != null && (!r.isTextual() || r.asText().length() > ManualRequest.Pause.MAX_REASON_CHARS)) {
            throw new ApiError(400, "reason: expected a string of at most " + ManualRequest.Pause.MAX_REASON_CHARS
                    + " characters");
        }
        return new ManualRequest.Pause(id, Duration.ofMillis(d.asLong()), r == null ? "paused by hand" : r.asText(), by);
    }
}
