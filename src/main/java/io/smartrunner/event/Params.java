package io.smartrunner.event;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An event's params: an immutable, insertion-ordered map from wire key to value, read through
 * typed {@link Param} keys ({@link #value}). Kept as the map it is on the wire, not as record
 * fields, so that the params of a line survive a read and a write in their order and with the
 * keys this version does not know (a newer runner's field, an older runner's leftover); the
 * records give their known params names and types on top ({@code failed.reason()}).
 * Values are strings, numbers, booleans, null, nested maps and lists.
 */
public final class Params extends AbstractMap<String, Object> {
    public static final Params EMPTY = new Params(new LinkedHashMap<>());

    private final Map<String, Object> map;

    private Params(LinkedHashMap<String, Object> owned) {
        this.map = Collections.unmodifiableMap(owned);
    }

    /** A copy of {@code map} in its iteration order. */
    public static Params of(Map<String, ?> map) {
        if (map instanceof Params p) {
            return p;
        }
        return map == null || map.isEmpty() ? EMPTY : new Params(new LinkedHashMap<>(map));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value under {@code key}, converted to its type; null when absent or of another shape. */
    public <T> T value(Param<T> key) {
        return key.read(map.get(key.wireName()));
    }

    /** These params with every top-level string passed through {@code f} (redaction). */
    public Params mapStrings(UnaryOperator<String> f) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, v instanceof String s ? f.apply(s) : v));
        return new Params(out);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return map.entrySet();
    }

    @Override
    public Object get(Object key) {
        return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map.containsKey(key);
    }

    /** Params in the order they are put: the order they have on the wire. */
    public static final class Builder {
        private final LinkedHashMap<String, Object> map = new LinkedHashMap<>();

        private Builder() {
        }

        /** Puts the value, null included (written as {@code null}). */
        public <T> Builder put(Param<T> key, T value) {
            map.put(key.wireName(), key.write(value));
            return this;
        }

        /** Puts the value unless it is null (then the key is left out of the line). */
        public <T> Builder putIfPresent(Param<T> key, T value) {
            return value == null ? this : put(key, value);
        }

        /** Puts every entry of {@code more}, in its order (after what is already here). */
        public Builder putAll(Params more) {
            more.entrySet().forEach(e -> map.put(e.getKey(), e.getValue()));
            return this;
        }

        public Params build() {
            return map.isEmpty() ? EMPTY : new Params(new LinkedHashMap<>(map));
        }
    }
}
