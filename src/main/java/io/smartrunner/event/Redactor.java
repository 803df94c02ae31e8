package io.smartrunner.event;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Replaces known secret values (those that came from {@code ${env:NAME}}) before text is written anywhere. */
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

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return out;
    }
}
