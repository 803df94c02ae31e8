package io.smartrunner.config;

import java.util.regex.Pattern;

/**
 * The one rule for profile ids and pod names, shared by the config, the CLI and the API. An id
 * names files and directories (session logs, the browser's user-data-dir), so it is one plain
 * path segment: it starts with a letter or digit (never ".", "..", a dot file or an option-like
 * "-x") and holds at most 64 letters, digits, '.', '_' or '-'.
 */
public final class ProfileId {
    /** The rule as a regular expression, also shown in error messages. */
    public static final String PATTERN_TEXT = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    private static final Pattern PATTERN = Pattern.compile(PATTERN_TEXT);

    private ProfileId() {
    }

    /** Whether {@code text} is a valid profile id or pod name. */
    public static boolean isValid(String text) {
        return text != null && PATTERN.matcher(text).matches();
    }

    /** What a valid id looks like, for the second half of a one-line error. */
    public static String expected(String what) {
        return "a " + what + " matching " + PATTERN_TEXT;
    }
}
