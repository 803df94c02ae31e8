package io.smartrunner.event;

import java.nio.charset.StandardCharsets;
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
    /** Longer than any DevTools URL Chromium prints (~80 characters): one cut through it is read whole. */
    private static final int URL_REACH_BYTES = 256;
    private final List<String> secrets;
    private final int reachBytes;

    public Redactor(Set<String> secretValues) {
        this.secrets = secretValues.stream()
                .filter(s -> s.length() >= MIN_SECRET_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        this.reachBytes = URL_REACH_BYTES + secrets.stream()
                .mapToInt(v -> v.getBytes(StandardCharsets.UTF_8).length).max().orElse(0);
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

    /**
     * How many bytes more than it shows a tail should read before {@link #redactTail}: a secret (or
     * DevTools URL) that the tail's first byte cuts through then lies whole in what was read, and is
     * masked before the cut instead of shown but for its first characters.
     */
    public int reachBytes() {
        return reachBytes;
    }

    /**
     * The redacted last {@code maxBytes} bytes (UTF-8) of {@code text}, which holds
     * {@link #reachBytes()} more than that when there was more. Its end may be a file still being
     * written: a secret's beginning there (two characters or more) is masked too.
     */
    public String redactTail(String text, int maxBytes) {
        String out = redact(text);
        for (String s : secrets) {
            for (int len = s.length() - 1; len >= 2; len--) {
                if (out.endsWith(s.substring(0, len))) {
                    out = out.substring(0, out.length() - len) + MASK;
                    break;
                }
            }
        }
        byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return out;
        }
        int from = bytes.length - maxBytes;
        while (from < bytes.length && (bytes[from] & 0xC0) == 0x80) {
            from++; // not half a character
        }
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }

    /** The event with every string parameter redacted. */
    public EventRecord redact(EventRecord e) {
        return EventKinds.withParams(e, e.params().mapStrings(this::redact));
    }
}
