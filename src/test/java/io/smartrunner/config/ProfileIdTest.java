package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one id rule shared by the config, the CLI and the API. */
class ProfileIdTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "p1", "A.b_c-d", "0", "x..y", "x123456789012345678901234567890123456789012345678901234567890123"})
    void acceptsOnePlainPathSegment(String id) {
        assertTrue(ProfileId.isValid(id), id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", ".hidden", "-rf", "_x", "a/b", "a\\b", "a b", "ü", "a\u0000",
            "x1234567890123456789012345678901234567890123456789012345678901234"})
    void refusesWhatIsNotOnePlainPathSegment(String id) {
        assertFalse(ProfileId.isValid(id), id);
    }
}
