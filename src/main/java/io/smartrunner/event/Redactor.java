package io.smartrunner.event;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Replaces known secret values (those that came from {@code ${env:NAME}}) and DevTools WebSocket
 * URLs before text is written anywhere.
 */
public final class Redactor {
    /** Shorter values are not redacted: masking "1" or "on" everywhere would garble text and hide nothing. */
    static final int MIN_SECRET_LENGTH = 4;
    private static final String MASK = "***";
    private final List<String> secrets;

    public Redactor(Set<String> secretValues) {
        this.secrets = secretValues.stream()
                .filter(s -> s.length() >= MIN_SECRET_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    /** A DevTools WebSocket URL grants full control of a browser: masked wherever it appears. */
    private static final java.util.regex.Pattern DEVTOOLS_URL =
            java.util.regex.Pattern.compile("wss?://[^\\s\"']+/devtools/[^\\s\"':,]+");

    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text.contains("/devtools/") ? DEVTOOLS_URL.matcher(text).replaceAll("ws://***/devtools/***") : text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    /** The event with every string parameter redacted. */
    public EventRecord redact(EventRecord e) {
        return EventKinds.withParams(e, e.params().mapStrings(this::redact));
    }
}
