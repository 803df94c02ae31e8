package io.smartrunner.metrics;

import io.smartrunner.event.Redactor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns a name from the config (pod, step) into a label value: one that is not a plain name, or
 * contains a secret (a pod named {@code ${env:...}}), becomes {@code other} / {@code redacted}.
 * Names are few, so each is checked once and remembered. Thread-safe.
 */
final class LabelValues {
    static final String OTHER = "other";
    static final String REDACTED = "redacted";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** A config is reloaded a bounded number of times; past this, new names are not remembered (still checked). */
    private static final int MAX_REMEMBERED = 10_000;

    private final Redactor redactor;
    private final Map<String, String> checked = new ConcurrentHashMap<>();

    LabelValues(Set<String> secretValues) {
        this.redactor = new Redactor(secretValues);
    }

    String name(String raw) {
        if (raw == null) {
            return OTHER;
        }
        String known = checked.get(raw);
        if (known != null) {
            return known;
        }
        String value = !NAME.matcher(raw).matches() ? OTHER : redactor.redact(raw).equals(raw) ? raw : REDACTED;
        if (checked.size() < MAX_REMEMBERED) {
            checked.put(raw, value);
        }
        return value;
    }

    /** The value when it is one of {@code allowed}, else {@code other}. */
    static String oneOf(Object raw, Set<String> allowed) {
        return raw instanceof String s && allowed.contains(s) ? s : OTHER;
    }
}
