package io.smartrunner.config;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}} in a string value. Per-session placeholders such as
 * {@code {profileId}} have no dollar sign and are left alone.
 */
final class EnvPlaceholders {
    static final String EXPECTED = "${env:NAME} with NAME matching [A-Za-z_][A-Za-z0-9_]*";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern ENV_REFERENCE = Pattern.compile("env:([A-Za-z_][A-Za-z0-9_]*)");

    private EnvPlaceholders() {
    }

    /**
     * @param secrets   receives every non-empty substituted value
     * @param unsetKept a placeholder whose variable is not set is kept as written, not refused
     * @param neededFor why the value is needed, added to the refusal of an unset variable; null: nothing added
     * @throws IllegalArgumentException one-line reason (without path) when a placeholder is
     *                                  malformed or its variable is not set
     */
    static String resolve(String text, Map<String, String> env, Consumer<String> secrets, boolean unsetKept,
                          String neededFor) {
        if (!text.contains("${")) {
            return text;
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder resolved = new StringBuilder();
        int end = 0;
        while (matcher.find()) {
            String value = lookUp(matcher.group(1), env, unsetKept, neededFor);
            // an empty value would make a redactor match everywhere
            if (!value.isEmpty()) {
                secrets.accept(value);
            }
            resolved.append(text, end, matcher.start()).append(value);
            end = matcher.end();
        }
        String rest = text.substring(end);
        if (rest.contains("${")) {
            throw new IllegalArgumentException("unclosed placeholder \"" + rest.substring(rest.indexOf("${"))
                    + "\", expected " + EXPECTED);
        }
        return resolved.append(rest).toString();
    }

    private static String lookUp(String reference, Map<String, String> env, boolean unsetKept, String neededFor) {
        Matcher name = ENV_REFERENCE.matcher(reference);
        if (!name.matches()) {
            throw new IllegalArgumentException("unsupported placeholder \"${" + reference + "}\", expected "
                    + EXPECTED);
        }
        String value = env.get(name.group(1));
        if (value == null && unsetKept) {
            return "${" + reference + "}";
        }
        if (value == null) {
            throw new IllegalArgumentException("environment variable " + name.group(1)
                    + " is not set, expected it to be set for \"${" + reference + "}\""
                    + (neededFor == null ? "" : " (" + neededFor + ")"));
        }
        return value;
    }
}
