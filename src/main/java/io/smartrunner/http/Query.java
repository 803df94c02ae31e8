package io.smartrunner.http;

import io.smartrunner.config.ProfileId;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** A request's query parameters, checked against the names a route knows (unknown or repeated → 400). */
final class Query {

    private final Map<String, String> values = new HashMap<>();

    Query(String rawQuery, Set<String> known) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!known.contains(key)) {
                throw new ApiError(400, "query: unknown parameter \"" + clip(key) + "\"; expected one of "
                        + new java.util.TreeSet<>(known));
            }
            if (values.put(key, value) != null) {
                throw new ApiError(400, "query: " + key + " given twice");
            }
        }
    }

    String get(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    /** A profile id or pod name, validated; null when absent. */
    String name(String key) {
        String v = get(key);
        if (v != null && !ProfileId.isValid(v)) {
            throw new ApiError(400, key + ": expected " + ProfileId.PATTERN_TEXT + ", got \"" + clip(v) + "\"");
        }
        return v;
    }

    /**
     * A number parameter, {@code otherwise} when absent; given empty ({@code ?limit=}) it is a 400
     * like any other value that is not a number (a text filter given empty is no filter).
     */
    long longIn(String key, long min, long max, long otherwise) {
        String v = values.get(key);
        return v == null ? otherwise : longIn(key, v, min, max);
    }

    /** {@code v} as an integer in [min, max], digits only (no sign, no blank); 400 naming {@code key} otherwise. */
    static long longIn(String key, String v, long min, long max) {
        try {
            long n = v.matches("-?[0-9]{1,19}") ? Long.parseLong(v) : Long.MIN_VALUE;
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new ApiError(400, key + ": expected an integer from " + min + " to " + max + ", got \"" + clip(v) + "\"");
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "query: bad percent-encoding");
        }
    }

    /**
     * A value for an error message: at most 80 characters, anything not printable ASCII escaped
     * as {@code \\uXXXX} so the client sees what was refused (reviewer R14: "é" and NUL both said "?").
     */
    static String clip(String s) {
        StringBuilder printable = new StringBuilder(Math.min(s.length(), 100));
        int i = 0;
        for (; i < s.length() && printable.length() < 80; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                printable.append(c);
            } else {
                printable.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return i < s.length() ? printable + "..." : printable.toString();
    }
}
