package io.smartrunner.event;

import io.smartrunner.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

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
    /** The most a tail reads to keep the read's start out of view (the log route serves at most 1 MiB). */
    static final int MAX_TAIL_READ = 16 << 20;
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
     * How many bytes more than it shows a tail reads at least ({@link #redactTail}): a secret (or
     * DevTools URL) that the read's first byte cuts through lies whole in what is shown, and is
     * masked, instead of shown but for its first characters.
     */
    public int reachBytes() {
        return reachBytes;
    }

    /**
     * The redacted last {@code maxBytes} bytes (UTF-8) of a text, read with {@code lastBytes} (the
     * text's last n bytes, decoded; all of it when it is shorter). It reads {@link #reachBytes()}
     * more than it shows, and more again while the masks' shrinking would bring the read's first
     * bytes into view: what the read's start cuts through is never shown. (With the reach alone, a
     * tail holding many masked secrets, each "***" in place of 64 characters, showed a token cut by
     * the read's start but for its first characters: reviewer R16, a local user then guessed the
     * rest.) Its end may be a file still being written: a secret's beginning there (two characters
     * or more) is masked too.
     */
    public String redactTail(IntFunction<String> lastBytes, int maxBytes) {
        int want = maxBytes + reachBytes;
        String previous = null;
        while (true) {
            String text = lastBytes.apply(want);
            // fewer bytes than asked for (less a dropped half character), or no more than the last read: all of it
            boolean whole = Utf8.length(text) < want - 3 || text.equals(previous);
            byte[] out = redactEnd(redact(text)).getBytes(StandardCharsets.UTF_8);
            if (whole || out.length >= maxBytes + reachBytes) {
                return last(out, maxBytes);
            }
            if (want >= MAX_TAIL_READ) { // nearly all masks: show less rather than the read's start
                return last(out, Math.max(0, out.length - reachBytes));
            }
            previous = text;
            want = (int) Math.min(MAX_TAIL_READ, 2L * want);
        }
    }

    /** A secret's beginning (two characters or more) at the text's end masked: the rest may be on its way. */
    private String redactEnd(String text) {
        String out = text;
        for (String s : secrets) {
            for (int len = s.length() - 1; len >= 2; len--) {
                if (out.endsWith(s.substring(0, len))) {
                    out = out.substring(0, out.length() - len) + MASK;
                    break;
                }
            }
        }
        return out;
    }

    /** The last {@code n} bytes as text, without the half of a character the cut goes through. */
    private static String last(byte[] bytes, int n) {
        int from = Math.max(0, bytes.length - n);
        while (from < bytes.length && (bytes[from] & 0xC0) == 0x80) {
            from++;
        }
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }

    /** The event with every string parameter redacted. */
    public EventRecord redact(EventRecord e) {
        return EventKinds.withParams(e, e.params().mapStrings(this::redact));
    }
}
