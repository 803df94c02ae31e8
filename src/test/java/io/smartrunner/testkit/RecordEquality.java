package io.smartrunner.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Checks a record's written-out equals and hashCode against what the generated ones would say:
 * equal exactly when every component is (each one changed alone, and null on either side), and
 * equal records hash alike. For records whose generated methods were replaced for speed; a
 * component added later and forgotten there fails here.
 */
public final class RecordEquality {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");

    private RecordEquality() {
    }

    public static <R extends Record> void check(Class<R> type) throws ReflectiveOperationException {
        RecordComponent[] components = type.getRecordComponents();
        Constructor<R> make = type.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        Object[] base = Arrays.stream(components).map(c -> value(c.getType(), 0)).toArray();
        R a = make.newInstance(base);
        assertEquals(a, make.newInstance(base.clone()));
        assertEquals(a.hashCode(), make.newInstance(base.clone()).hashCode());
        for (int i = 0; i < components.length; i++) {
            Object[] other = base.clone();
            other[i] = value(components[i].getType(), 1);
            assertNotEquals(a, make.newInstance(other), components[i].getName() + " differs");
            if (nullable(type, components[i])) {
                other[i] = null;
                R withNull = make.newInstance(other);
                assertNotEquals(a, withNull, components[i].getName() + " null on one side");
                assertNotEquals(withNull, a, components[i].getName() + " null on the other side");
                assertEquals(withNull, make.newInstance(other.clone()), components[i].getName() + " null on both");
            }
        }
    }

    /** Collections are copied by the records' constructors (List.copyOf refuses null). */
    private static boolean nullable(Class<?> type, RecordComponent c) {
        return !c.getType().isPrimitive() && c.getType() != List.class && c.getType() != Set.class;
    }

    private static Object value(Class<?> type, int n) {
        if (type == String.class) {
            return "v" + n;
        } else if (type == int.class) {
            return n;
        } else if (type == boolean.class) {
            return n == 1;
        } else if (type == Instant.class) {
            return T0.plusSeconds(n);
        } else if (type == List.class) {
            return List.of("v" + n);
        } else if (type == Set.class) {
            return Set.of("v" + n);
        }
        throw new AssertionError("a component of a type this check does not know: " + type);
    }
}
