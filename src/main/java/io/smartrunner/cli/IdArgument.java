package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ProfileId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks a profile id or pod name given on the command line against the config's rule
 * ({@link ProfileId}), so an id the config could never hold is a usage error (exit 2) before
 * anything is loaded or asked. The value is shown quoted, its unprintable characters escaped,
 * so a newline or a terminal escape in it cannot break the one-line error.
 */
final class IdArgument implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        if (!ProfileId.isValid(value)) {
            throw new TypeConversionException(shown(value) + " is not a valid id; expected " + ProfileId.expected("name"));
        }
        return value;
    }

    /**
     * For positional ids: picocli turns a positional value its converter refuses into "Unmatched
     * argument", so they are taken as text and checked here, with the rule.
     *
     * @param label how the argument is named in the usage ({@code PROFILE})
     */
    static void requireValid(String label, String value) {
        if (!ProfileId.isValid(value)) {
            throw new SmartRunnerException(label + ": " + shown(value) + " is not a valid id, expected "
                    + ProfileId.expected("profile id"), null, UsageError.EXIT);
        }
    }

    /** {@code value} in double quotes, with '"', '\' and every unprintable character escaped. */
    static String shown(String value) {
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (printable(c)) {
                        out.appendCodePoint(c);
                    } else if (c <= 0xFFFF) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append(String.format("\\u{%x}", c));
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    private static boolean printable(int c) {
        int type = Character.getType(c);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.UNASSIGNED
                && type != Character.PRIVATE_USE && type != Character.SURROGATE
                && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
    }
}
