package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Reviewer R24: a JSON {@code null} was taken as the key left out, so {@code "maxErrorStreak": null}
 * (meant as "never pause") silently ran with the default 3. The schema allows no null: it is refused
 * in one line with its path.
 */
class ConfigNullTest extends ConfigTestSupport {
    private static final String EXPECTED = "null, expected a value (leave the key out for its default)";

    @Test
    void aNullValueIsRefusedWithItsPathNotTakenAsTheDefault() {
        assertEquals("$.recovery.maxErrorStreak: " + EXPECTED, rejects("{'recovery': {'maxErrorStreak': null}}"));
        assertEquals("$.breaker.failureRatio: " + EXPECTED, rejects("{'breaker': {'failureRatio': null}}"));
        assertEquals("$.breaker: " + EXPECTED, rejects("{'breaker': null}"));
        assertEquals("$.browser.provider: " + EXPECTED, rejects("{'browser': {'provider': null}}"));
        assertEquals("$.pods[0].profiles[0].id: null, expected a profile id matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}",
                rejects("{'pods': [{'name': 'podA', 'profiles': [{'id': null}]}]}"), "required: no default to speak of");
        assertEquals("$.session.command[1]: null, expected a string", rejects("{'session': {'command': ['node', null]}}"));
    }

    @Test
    void anUnknownKeyIsStillSaidAsOneWhateverItsValue() {
        assertEquals("$.recovery.maxErrorStreek: unknown key, did you mean \"maxErrorStreak\"?",
                rejects("{'recovery': {'maxErrorStreek': null}}"));
    }
}
