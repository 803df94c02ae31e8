package io.smartrunner.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.event.EventTimestamps;
import io.smartrunner.event.Redactor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body a webhook receives: {@code {"text", "alert", "pod", "profileId", "ts", "details"}}.
 * {@code text} makes it a valid Slack incoming-webhook message; the other fields are for
 * receivers that read JSON. Every string passes the redactor first (the events it comes from
 * already did; this is the last line of defence). Stateless and thread-safe.
 */
final class AlertJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    static byte[] body(Alert alert, Redactor redactor) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", alert.text());
        body.put("alert", alert.trigger().wireName());
        body.put("pod", alert.pod());
        body.put("profileId", alert.profileId());
        body.put("ts", alert.ts() == null ? null : EventTimestamps.format(alert.ts()));
        body.put("details", alert.details());
        try {
            return MAPPER.writeValueAsBytes(redacted(body, redactor));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert not serialisable: " + alert.trigger(), e);
        }
    }

    private static Object redacted(Object value, Redactor redactor) {
        if (value instanceof String s) {
            return redactor.redact(s);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(redactor.redact(String.valueOf(k)), redacted(v, redactor)));
            return copy;
        }
        if (value instanceof java.util.Collection<?> list) { // a JSON array stays one (details.pausesTakenBack)
            return list.stream().map(v -> redacted(v, redactor)).toList();
        }
        if (value instanceof Number || value instanceof Boolean || value == null) {
            return value;
        }
        return redactor.redact(value.toString());
    }
}
