package io.smartrunner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ProfileState's written-out equals and hashCode say what the record's generated ones would. */
class ProfileStateTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");

    @Test
    void twoStatesAreEqualExactlyWhenEveryComponentIs() throws Exception {
        RecordComponent[] components = ProfileState.class.getRecordComponents();
        Constructor<ProfileState> make = ProfileState.class.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        Object[] base = Arrays.stream(components).map(c -> value(c.getType(), 0)).toArray();
        ProfileState a = make.newInstance(base);
        assertEquals(a, make.newInstance(base.clone()));
        assertEquals(a.hashCode(), make.newInstance(base.clone()).hashCode());
        for (int i = 0; i < components.length; i++) {
            Object[] other = base.clone();
            other[i] = value(components[i].getType(), 1);
            assertNotEquals(a, make.newInstance(other), components[i].getName() + " differs");
            if (!components[i].getType().isPrimitive()) {
                other[i] = null;
                ProfileState withNull = make.newInstance(other);
                assertNotEquals(a, withNull, components[i].getName() + " null on one side");
                assertNotEquals(withNull, a, components[i].getName() + " null on the other side");
                assertEquals(withNull, make.newInstance(other.clone()), components[i].getName() + " null on both");
            }
        }
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
        }
        throw new AssertionError("a component of a type this test does not know: " + type);
    }
}
