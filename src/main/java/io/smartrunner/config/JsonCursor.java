package io.smartrunner.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A JSON value at a known path of the config file. Typed reads return the value or a fallback
 * when the key is absent (a JSON {@code null} is refused: {@link #isPresent}) and otherwise fail with a one-line
 * {@link ConfigException}: {@code <file>: <path>: <what is wrong>, expected <what>}. Messages
 * show the raw JSON value, never a substituted secret.
 * <p>About 280 lines: every typed read of a config value with its one-line error lives here, so each
 * error names the JSON path the same way.
 */
final class JsonCursor {
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int SHOWN_MAX = 100;

    private final BindContext context;
    private final String path;
    private final JsonNode raw;

    private JsonCursor(BindContext context, String path, JsonNode raw) {
        this.context = context;
        this.path = path;
        this.raw = raw;
    }

    static JsonCursor root(BindContext context, JsonNode node) {
        return new JsonCursor(context, "$", node);
    }

    String path() {
        return path;
    }

    /**
     * Whether the key is given. A JSON {@code null} is refused, not taken as absent: the schema
     * allows none, and {@code "maxErrorStreak": null} written to mean "never pause" silently got the
     * default 3 (reviewer R24).
     */
    boolean isPresent() {
        if (raw != null && raw.isNull()) {
            throw fail("null", "a value (leave the key out for its default)");
        }
        return raw != null;
    }

    boolean isText() {
        return raw != null && raw.isTextual(); // a null is none of them (and refused where it is read)
    }

    boolean isBoolean() {
        return raw != null && raw.isBoolean(); // a null is none of them (and refused where it is read)
    }

    boolean isObject() {
        return raw != null && raw.isObject(); // a null is none of them (and refused where it is read)
    }

    /**
     * Whether {@code value} holds a {@code ${env:NAME}} kept as written because its variable is not
     * set (a command that only looks): checks of its form do not apply to it.
     */
    boolean keptUnset(String value) {
        return context.unsetEnvKept() && value != null && value.contains("${env:");
    }

    /**
     * This value (and everything under it) for a command that uses it itself: its {@code ${env:NAME}}
     * must be set even where the others' are kept as written ({@link BindContext#requiringEnv}).
     */
    JsonCursor requiringEnv(String neededFor) {
        return new JsonCursor(context.requiringEnv(neededFor), path, raw);
    }

    /** The member {@code key} of this object (absent when this is absent). */
    JsonCursor get(String key) {
        return new JsonCursor(context, childPath(path, key), isPresent() ? raw.get(key) : null);
    }

    /** Checks that this is an object holding only {@code allowedKeys}; an absent value passes. */
    JsonCursor object(List<String> allowedKeys) {
        if (!isPresent()) {
            return this;
        }
        requireKind(raw.isObject(), "an object");
        for (Iterator<String> names = raw.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowedKeys.contains(name)) {
                throw get(name).fail("unknown key" + NearMiss.suggest(name, allowedKeys)
                        .map(near -> ", did you mean " + quote(near) + "?")
                        .orElse(", expected one of: " + String.join(", ", allowedKeys)));
            }
        }
        return this;
    }

    /** The members of an object with free-form keys, in file order; absent = none. */
    Map<String, JsonCursor> entries(String expected) {
        Map<String, JsonCursor> entries = new LinkedHashMap<>();
        if (isPresent()) {
            requireKind(raw.isObject(), expected);
            raw.fieldNames().forEachRemaining(name -> entries.put(name, get(name)));
        }
        return entries;
    }

    /** The elements of an array; absent = none. */
    List<JsonCursor> elements(String expected) {
        List<JsonCursor> elements = new ArrayList<>();
        if (isPresent()) {
            requireKind(raw.isArray(), expected);
            for (int i = 0; i < raw.size(); i++) {
                elements.add(new JsonCursor(context, path + "[" + i + "]", raw.get(i)));
            }
        }
        return elements;
    }

    /** A string with {@code ${env:NAME}} substituted. */
    String text(String fallback) {
        if (!isPresent()) {
            return fallback;
        }
        requireKind(raw.isTextual(), "a string");
        try {
            return EnvPlaceholders.resolve(raw.textValue(), context.env(), context.secrets()::add,
                    context.unsetEnvKept(), context.envNeededFor());
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    /** The string as the file has it, placeholders unresolved; null for anything but a string. */
    String written() {
        return raw != null && raw.isTextual() ? raw.textValue() : null; // a peek: a null is judged where it is read
    }

    /** Remembers how an argv with placeholders was written (RunnerConfig#argvAsWritten). */
    void argvWritten(List<String> resolved, List<String> written) {
        context.argvAsWritten().put(List.copyOf(resolved), List.copyOf(written));
    }

    String requiredText(String expected) {
        if (raw == null || raw.isNull()) { // a required value has no default to leave the key out for
            throw fail(raw == null ? "missing" : "null", expected);
        }
        return text(null);
    }

    long integer(long fallback, long min, long max, Quantity quantity) {
        if (!isPresent()) {
            return fallback;
        }
        String expected = quantity.range(min, max);
        requireKind(raw.isNumber(), expected);
        if (!raw.isIntegralNumber()) {
            throw fail(shown() + " is a decimal number", expected);
        }
        if (!raw.canConvertToLong()) {
            throw fail(shown() + " is out of range", expected);
        }
        long value = raw.longValue();
        if (value < min || value > max) {
            throw fail(value > max ? shown() + " is too large" : value < 0 ? shown() + " is negative"
                    : value == 0 ? "0 is not allowed" : shown() + " is too small", expected);
        }
        return value;
    }

    int integer(int fallback, int min, int max, Quantity quantity) {
        return (int) integer((long) fallback, min, max, quantity);
    }

    double number(double fallback, double min, double max) {
        if (!isPresent()) {
            return fallback;
        }
        String expected = "a number from " + min + " to " + max;
        requireKind(raw.isNumber(), expected);
        double value = raw.doubleValue();
        if (!(value >= min && value <= max)) {
            throw fail(shown() + (value > max ? " is too large" : " is too small"), expected);
        }
        return value;
    }

    boolean flag(boolean fallback) {
        if (!isPresent()) {
            return fallback;
        }
        requireKind(raw.isBoolean(), "true or false");
        return raw.booleanValue();
    }

    /** One of {@code fallback}'s enum constants, named in any case. */
    <E extends Enum<E>> E choice(E fallback) {
        if (!isPresent()) {
            return fallback;
        }
        E[] constants = fallback.getDeclaringClass().getEnumConstants();
        List<String> names = Arrays.stream(constants).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        requireKind(raw.isTextual(), oneOf(names));
        String value = text(null);
        for (E constant : constants) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw fail(shown() + " is not a known value" + NearMiss.suggest(value, names)
                .map(near -> " (did you mean " + quote(near) + "?)").orElse(""), oneOf(names));
    }

    /** A file-system path, kept as given (relative paths resolve later against the working dir). */
    Path filePath(Path fallback) {
        String text = text(null);
        if (text == null) {
            return fallback;
        }
        if (text.isBlank()) {
            throw fail(shown() + " is empty", "a file-system path");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw fail(shown() + " is not a valid path (" + e.getReason() + ")", "a file-system path");
        }
    }

    ConfigException fail(String what, String expected) {
        return fail(what + ", expected " + expected);
    }

    /** @param message what is wrong and what was expected */
    ConfigException fail(String message) {
        return new ConfigException(context.label() + ": " + path + ": " + message);
    }

    /** The raw JSON value, shortened; JSON escaping keeps it on one line. */
    String shown() {
        return shortened(raw == null ? "nothing" : raw.toString());
    }

    /** As {@link #shown()}, a string passed through {@code mask} first (before it is shortened). */
    String shown(java.util.function.UnaryOperator<String> mask) {
        return isText() ? shortened(quote(mask.apply(raw.textValue()))) : shown();
    }

    private static String shortened(String json) {
        return json.length() <= SHOWN_MAX ? json : json.substring(0, SHOWN_MAX - 3) + "...";
    }

    /** "{@code <value>} is a number, expected ..." */
    ConfigException typeError(String expected) {
        String kind = switch (raw == null ? JsonNodeType.MISSING : raw.getNodeType()) {
            case STRING -> " is a string";
            case NUMBER -> " is a number";
            case BOOLEAN -> " is a boolean";
            case ARRAY -> " is an array";
            case OBJECT -> " is an object";
            default -> "";
        };
        return fail(shown() + kind, expected);
    }

    private void requireKind(boolean ok, String expected) {
        if (!ok) {
            throw typeError(expected);
        }
    }

    static String childPath(String parent, String key) {
        return PLAIN_KEY.matcher(key).matches() ? parent + "." + key : parent + "[" + quote(key) + "]";
    }

    static String quote(String text) {
        return TextNode.valueOf(text).toString();
    }

    static String oneOf(List<String> values) {
        return "one of " + values.stream().map(JsonCursor::quote).collect(Collectors.joining(", "));
    }
}
