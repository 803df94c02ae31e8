package io.smartrunner.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of one event line: field order, timestamp shape, nulls written as null. Lines
 * are {@link WireEvent}s here; {@link EventKinds} turns them into typed events and back.
 * Stateless and thread-safe.
 */
public final class EventJson {
    /** No separator between root values: each line ends with the '\n' written by {@link #write}. */
    static final JsonFactory FACTORY = new JsonFactoryBuilder().rootValueSeparator((String) null).build();

    private static final ObjectReader READER = new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readerFor(new TypeReference<LinkedHashMap<String, Object>>() { });

    private EventJson() {
    }

    /** One event as its log line, without the newline. */
    public static String toLine(EventRecord e) {
        java.io.StringWriter w = new java.io.StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, e);
        } catch (IOException impossible) {
            throw new java.io.UncheckedIOException(impossible);
        }
        return w.toString().stripTrailing();
    }

    /** Writes one event and its terminating newline. */
    static void write(JsonGenerator g, EventRecord event) throws IOException {
        WireEvent e = EventKinds.encode(event);
        g.writeStartObject();
        g.writeStringField("ts", e.ts() == null ? null : EventTimestamps.format(e.ts()));
        g.writeStringField("pod", e.pod());
        g.writeStringField("profileId", e.profileId());
        g.writeStringField("sessionId", e.sessionId());
        g.writeStringField("event", e.event());
        g.writeStringField("type", e.type());
        g.writeFieldName("params");
        writeValue(g, e.params());
        g.writeStringField("outcome", e.outcome());
        g.writeFieldName("durMs");
        if (e.durMs() == null) {
            g.writeNull();
        } else {
            g.writeNumber(e.durMs());
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }

    /**
     * Strings, numbers, booleans, null, maps and iterables as JSON; instants in the {@code ts}
     * format; anything else (enums, paths, ...) as its {@code toString()}.
     */
    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String) {
            g.writeString((String) v);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            g.writeNumber(((Number) v).doubleValue());
        } else if (v instanceof BigDecimal) {
            g.writeNumber((BigDecimal) v);
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(entry.getKey()));
                writeValue(g, entry.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Iterable) {
            g.writeStartArray();
            for (Object item : (Iterable<?>) v) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Instant) {
            g.writeString(EventTimestamps.format((Instant) v));
        } else {
            g.writeString(v.toString());
        }
    }

    /**
     * Parses one line. Numbers in params come back as Integer, Long or Double by magnitude, objects
     * as LinkedHashMap, arrays as ArrayList.
     *
     * @throws IllegalArgumentException when the line is not a well-formed event (a torn line,
     *                                  garbage, a missing ts or event)
     */
    static EventRecord parse(byte[] buf, int off, int len) {
        return EventKinds.decode(parseWire(buf, off, len));
    }

    private static WireEvent parseWire(byte[] buf, int off, int len) {
        Map<String, Object> m;
        try {
            m = READER.readValue(buf, off, len);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON object", e);
        }
        if (m == null) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String ts = string(m, "ts");
        String event = string(m, "event");
        if (ts == null || event == null) {
            throw new IllegalArgumentException("missing ts or event");
        }
        Object params = m.get("params");
        if (params != null && !(params instanceof Map)) {
            throw new IllegalArgumentException("params is not an object");
        }
        Object durMs = m.get("durMs");
        if (durMs != null && !(durMs instanceof Number)) {
            throw new IllegalArgumentException("durMs is not a number");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> paramsMap = params == null ? Map.of() : (Map<String, Object>) params;
        return new WireEvent(instant(ts), string(m, "pod"), string(m, "profileId"),
                string(m, "sessionId"), event, string(m, "type"), paramsMap, string(m, "outcome"),
                durMs == null ? null : ((Number) durMs).longValue());
    }

    /** What a line with these pod, profileId and event (null = any) contains byte for byte. */
    static List<byte[]> needles(String pod, String profileId, String event) {
        List<byte[]> out = new ArrayList<>();
        for (String[] fv : new String[][] {{"pod", pod}, {"profileId", profileId}, {"event", event}}) {
            if (fv[1] != null) {
                out.add(("\"" + fv[0] + "\":\"" + fv[1] + "\"").getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Instant instant(String ts) {
        try {
            return EventTimestamps.parse(ts);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("ts is not an ISO-8601 instant: " + ts, e);
        }
    }

    private static String string(Map<String, Object> m, String field) {
        Object v = m.get(field);
        if (v != null && !(v instanceof String)) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return (String) v;
    }
}
