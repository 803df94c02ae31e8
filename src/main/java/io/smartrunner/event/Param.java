package io.smartrunner.event;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Function;

/**
 * A typed key of event {@link Params}: its wire name and how its value is written and read back.
 * Reading is lenient (a line from another version may lack a key or hold another shape): a value
 * that does not convert reads as null. The keys themselves are declared in {@link EventParams}.
 *
 * @param <T> the value's type in the records
 */
public final class Param<T> {
    private final String wireName;
    private final Function<T, Object> write;
    private final Function<Object, T> read;

    private Param(String wireName, Function<T, Object> write, Function<Object, T> read) {
        this.wireName = wireName;
        this.write = write;
        this.read = read;
    }

    static Param<String> text(String wireName) {
        return new Param<>(wireName, v -> v, v -> v instanceof String s ? s : null);
    }

    static Param<Integer> int32(String wireName) {
        return new Param<>(wireName, v -> v, v -> v instanceof Number n ? n.intValue() : null);
    }

    static Param<Long> int64(String wireName) {
        return new Param<>(wireName, v -> v, v -> v instanceof Number n ? n.longValue() : null);
    }

    static Param<Boolean> flag(String wireName) {
        return new Param<>(wireName, v -> v, v -> v instanceof Boolean b ? b : null);
    }

    /** A number as written (an integer or a decimal), read back as the JSON reader gives it. */
    static Param<Number> number(String wireName) {
        return new Param<>(wireName, v -> v, v -> v instanceof Number n ? n : null);
    }

    /** An instant written as {@link Instant#toString()} (ISO-8601, as precise as it is). */
    static Param<Instant> isoInstant(String wireName) {
        return new Param<>(wireName, v -> v == null ? null : v.toString(), v -> {
            try {
                return v instanceof String s ? EventTimestamps.parse(s) : null;
            } catch (DateTimeParseException e) {
                return null;
            }
        });
    }

    /** One of a closed set of values, each with its wire word. */
    static <E extends Enum<E>> Param<E> oneOf(String wireName, Map<E, String> words) {
        return new Param<>(wireName, v -> v == null ? null : words.get(v), v -> words.entrySet().stream()
                .filter(w -> w.getValue().equals(v)).map(Map.Entry::getKey).findFirst().orElse(null));
    }

    String wireName() {
        return wireName;
    }

    Object write(T value) {
        return write.apply(value);
    }

    T read(Object raw) {
        return raw == null ? null : read.apply(raw);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
