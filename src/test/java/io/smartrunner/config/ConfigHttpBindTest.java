package io.smartrunner.config;

import static io.smartrunner.config.ConfigTestSupport.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression: a bad {@code http.bind} passed the load and every control command crashed with a
 * URI exception's trace; a non-loopback bind without a token was refused only by {@code run},
 * after it had written the generated token.
 */
class ConfigHttpBindTest extends ConfigTestSupport {
    @ParameterizedTest
    @ValueSource(strings = {"not an address", "runner.lan", "256.1.1.1", "1.2.3", "1::2::3", "fe80::1%eth0",
            "127.0.0.1:7070", "[::1"})
    void refusesWhatIsNotAnIpAddress(String bind) {
        String line = rejects("{'http': {'bind': '" + bind + "'}}");
        assertEquals("$.http.bind: \"" + bind + "\" is not an IP address, expected an IP address to listen on, such as"
                + " \"127.0.0.1\", \"0.0.0.0\", \"::1\" or \"localhost\" (host names are not resolved at load; use"
                + " the address)", line);
    }

    @Test
    void acceptsLoopbackAddressesAndLocalhostWithoutAToken() {
        assertEquals("127.0.0.1", load("{'http': {'bind': '127.0.0.1'}}").http().bind());
        assertEquals("127.0.0.2", load("{'http': {'bind': '127.0.0.2'}}").http().bind());
        assertEquals("::1", load("{'http': {'bind': '::1'}}").http().bind());
        assertEquals("::1", load("{'http': {'bind': '[::1]'}}").http().bind());
        assertEquals("[::1]", load("{'http': {'bind': '[::1]'}}").http().urlHost());
        assertEquals("localhost", load("{'http': {'bind': 'LocalHost'}}").http().bind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "10.1.2.3", "[fd00::5]"})
    void refusesANonLoopbackBindWithoutATokenAtLoad(String bind) {
        String shown = bind.startsWith("[") ? bind.substring(1, bind.length() - 1) : bind;
        assertContains("$.http.bind: \"" + shown + "\" is not a loopback address and no http.token is set, expected"
                + " http.token", rejects("{'http': {'bind': '" + bind + "'}}"));
    }

    @Test
    void acceptsANonLoopbackBindWithAToken() {
        HttpSettings http = load("{'http': {'bind': '0.0.0.0', 'token': 'abc-0123456789-xyz'}}").http();
        assertEquals("0.0.0.0", http.bind());
        assertEquals("[fd00::5]", load("{'http': {'bind': 'fd00::5', 'token': 'abc-0123456789-xyz'}}").http().urlHost());
    }
}
