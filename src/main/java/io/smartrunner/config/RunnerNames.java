package io.smartrunner.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code runner.name} and {@code runner.labels}: short words an operator reads in {@code runners},
 * a placement rule matches, and a database stores (one charset, no spaces or quotes).
 */
final class RunnerNames {
    static final Pattern WORD = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    static final int MAX_LABELS = 32;
    private static final String EXPECTED = "1-64 characters of A-Z a-z 0-9 . _ : -";

    private RunnerNames() {
    }

    static String name(JsonCursor value, String fallback) {
        if (!value.isPresent()) {
            return fallback;
        }
        return word(value);
    }

    static List<String> labels(JsonCursor value) {
        List<JsonCursor> elements = value.elements("an array of labels (" + EXPECTED + " each)");
        if (elements.size() > MAX_LABELS) {
            throw value.fail(elements.size() + " labels", "at most " + MAX_LABELS);
        }
        List<String> labels = new ArrayList<>();
        for (JsonCursor element : elements) {
            String label = word(element);
            if (!labels.contains(label)) {
                labels.add(label);
            }
        }
        return labels;
    }

    /**
     * A pod's or profile's {@code runOn}: one or more labels in {@code runner.labels}' syntax; absent
     * = {@code fallback} (the pod's, else none: any runner).
     */
    static List<String> runOn(JsonCursor value, List<String> fallback) {
        if (!value.isPresent()) {
            return fallback;
        }
        List<String> labels = labels(value);
        if (labels.isEmpty()) {
            throw value.fail("[] names no label", "at least one runner label (leave runOn out to run on any runner)");
        }
        return labels;
    }

    private static String word(JsonCursor value) {
        String text = value.requiredText(EXPECTED);
        if (!WORD.matcher(text).matches()) {
            throw value.fail(value.shown() + (text.isEmpty() ? " is empty" : " is not a valid name"), EXPECTED);
        }
        return text;
    }
}
