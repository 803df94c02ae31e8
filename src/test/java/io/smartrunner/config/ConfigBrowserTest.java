package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.config.BrowserSettings.AdsPower;
import io.smartrunner.config.BrowserSettings.Chromium;
import io.smartrunner.config.BrowserSettings.Provider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code browser} block: provider, chromium and adspower settings. */
class ConfigBrowserTest extends ConfigTestSupport {

    @Test
    void absentBlockGivesEveryDefault() {
        BrowserSettings browser = load("{}").browser();

        assertEquals(new BrowserSettings(Provider.CHROMIUM, new Chromium(null, true, List.of()),
                new AdsPower("http://127.0.0.1:50325", null, 1.0, 3, 30_000), true, true, 30_000), browser);
    }

    @Test
    void providerAloneDefaultsTheRest() {
        BrowserSettings browser = load("{'browser': {'provider': 'adspower'}}").browser();

        assertEquals(Provider.ADSPOWER, browser.provider());
        assertEquals(Chromium.defaults(), browser.chromium());
        assertEquals(AdsPower.defaults(), browser.adspower());
    }

    @Test
    void loadsEveryKey() {
        BrowserSettings browser = load("{'browser': {'provider': 'chromium', 'closeOnPause': false,"
                + " 'closeOnExit': false, 'startTimeoutMs': 600000,"
                + " 'chromium': {'binary': '/opt/chromium/chrome', 'headless': false,"
                + "   'extraArgs': ['--lang=en-US', '--window-size=1280,800']},"
                + " 'adspower': {'baseUrl': 'https://ads.local:8443/', 'apiKey': 'k3y', 'requestsPerSecond': 0.5,"
                + "   'retries': 0, 'stopPollTimeoutMs': 1}}}").browser();

        assertEquals(new BrowserSettings(Provider.CHROMIUM,
                new Chromium(Path.of("/opt/chromium/chrome"), false, List.of("--lang=en-US", "--window-size=1280,800")),
                new AdsPower("https://ads.local:8443", "k3y", 0.5, 0, 1), false, false, 600_000), browser);
    }

    @Test
    void rejectsNearMissInChromiumBlock() {
        assertEquals("$.browser.chromium.headles: unknown key, did you mean \"headless\"?",
                rejects("{'browser': {'chromium': {'headles': false}}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'browser': {'closeOnPuase': true}}                 | $.browser.closeOnPuase                | closeOnPause",
        "{'browser': {'adspower': {'apikey': 'x'}}}          | $.browser.adspower.apikey             | apiKey",
        "{'browser': {'adspower': {'retrys': 1}}}            | $.browser.adspower.retrys             | retries",
        "{'browser': {'chromium': {'extraArg': []}}}         | $.browser.chromium.extraArg           | extraArgs",
        "{'browser': {'adspowr': {}}}                        | $.browser.adspowr                     | adspower",
    })
    void rejectsUnknownKeysInTheBrowserBlocks(String json, String path, String suggestion) {
        assertEquals(path + ": unknown key, did you mean \"" + suggestion + "\"?", rejects(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "closeOnPause               | \"yes\"      | \"yes\" is a string, expected true or false",
        "closeOnExit                | 1          | 1 is a number, expected true or false",
        "chromium.headless          | \"false\"    | \"false\" is a string, expected true or false",
        "chromium                   | []         | [] is an array, expected an object",
        "adspower                   | \"http://h\" | \"http://h\" is a string, expected an object",
        "chromium.binary            | 7          | 7 is a number, expected a string",
        "adspower.apiKey            | 42         | 42 is a number, expected a string",
        "adspower.retries           | 1.5        | 1.5 is a decimal number, expected an integer from 0 to 10",
        "adspower.requestsPerSecond | \"2\"        | \"2\" is a string, expected a number from 0.1 to 50.0",
    })
    void rejectsWrongTypes(String key, String value, String problem) {
        assertEquals("$.browser." + key + ": " + problem, rejects(browser(key, value)));
    }

    @Test
    void rejectsExtraArgsThatAreNotAnArray() {
        assertEquals("$.browser.chromium.extraArgs: \"--lang=en\" is a string, "
                        + "expected an array of Chromium switches, e.g. [\"--lang=en-US\"]",
                rejects("{'browser': {'chromium': {'extraArgs': '--lang=en'}}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "startTimeoutMs             | 0      | 0 is not allowed, expected milliseconds from 1 to 600000 (10 min)",
        "startTimeoutMs             | 600001 | 600001 is too large, expected milliseconds from 1 to 600000 (10 min)",
        "adspower.stopPollTimeoutMs | 0      | 0 is not allowed, expected milliseconds from 1 to 600000 (10 min)",
        "adspower.stopPollTimeoutMs | 600001 | 600001 is too large, expected milliseconds from 1 to 600000 (10 min)",
        "adspower.retries           | -1     | -1 is negative, expected an integer from 0 to 10",
        "adspower.retries           | 11     | 11 is too large, expected an integer from 0 to 10",
        "adspower.requestsPerSecond | 0.09   | 0.09 is too small, expected a number from 0.1 to 50.0",
        "adspower.requestsPerSecond | 50.5   | 50.5 is too large, expected a number from 0.1 to 50.0",
        "adspower.requestsPerSecond | 0      | 0 is too small, expected a number from 0.1 to 50.0",
    })
    void rejectsOutOfRange(String key, String value, String problem) {
        assertEquals("$.browser." + key + ": " + problem, rejects(browser(key, value)));
    }

    @Test
    void acceptsRangeBoundaries() {
        BrowserSettings browser = load("{'browser': {'startTimeoutMs': 1, 'adspower': {'requestsPerSecond': 50,"
                + " 'retries': 10, 'stopPollTimeoutMs': 600000}}}").browser();

        assertEquals(1, browser.startTimeoutMs());
        assertEquals(new AdsPower(AdsPower.DEFAULT_BASE_URL, null, 50.0, 10, 600_000), browser.adspower());
        assertEquals(0.1, load("{'browser': {'adspower': {'requestsPerSecond': 0.1}}}")
                .browser().adspower().requestsPerSecond());
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromium", "bin/chromium", "./chrome", "~/chrome"})
    void rejectsRelativeBinary(String binary) {
        assertEquals("$.browser.chromium.binary: \"" + binary + "\" is not an absolute path, expected the absolute "
                        + "path of the Chromium executable, e.g. \"/usr/bin/chromium\", or no binary to auto-detect it",
                rejects("{'browser': {'chromium': {'binary': '" + binary + "'}}}"));
    }

    @Test
    void doesNotCheckThatTheBinaryExists() {
        assertEquals(Path.of("/nowhere/chromium"),
                load("{'browser': {'chromium': {'binary': '/nowhere/chromium'}}}").browser().chromium().binary());
    }

    @Test
    void rejectsEmptyBinary() {
        assertEquals("$.browser.chromium.binary: \"\" is empty, expected a file-system path",
                rejects("{'browser': {'chromium': {'binary': ''}}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-headless", "lang=en", "", "--", " --lang=en"})
    void rejectsExtraArgThatIsNotASwitch(String arg) {
        assertEquals("$.browser.chromium.extraArgs[1]: \"" + arg + "\" is not a switch, "
                        + "expected a Chromium switch starting with \"--\", e.g. \"--lang=en-US\"",
                rejects("{'browser': {'chromium': {'extraArgs': ['--mute-audio', '" + arg + "']}}}"));
    }

    @Test
    void rejectsNonStringExtraArg() {
        assertEquals("$.browser.chromium.extraArgs[0]: 3 is a number, expected a string",
                rejects("{'browser': {'chromium': {'extraArgs': [3]}}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--user-data-dir=/tmp/x", "--remote-debugging-port=9222", "--remote-debugging-port"})
    void rejectsSwitchesTheProviderSetsPerProfile(String arg) {
        String name = arg.split("=")[0];
        assertEquals("$.browser.chromium.extraArgs[0]: " + name + " is set per profile by the chromium provider, "
                + "expected other switches", rejects("{'browser': {'chromium': {'extraArgs': ['" + arg + "']}}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:50325", "ws://127.0.0.1:50325", "local.adspower.net", "http://"})
    void rejectsBaseUrlThatIsNotHttp(String url) {
        assertEquals("$.browser.adspower.baseUrl: \"" + url + "\" is not an absolute http(s) URL, "
                        + "expected e.g. \"http://127.0.0.1:50325\"",
                rejects("{'browser': {'adspower': {'baseUrl': '" + url + "'}}}"));
    }

    @Test
    void dropsTrailingSlashesFromBaseUrl() {
        assertEquals("http://local.adspower.net:50325",
                load("{'browser': {'adspower': {'baseUrl': 'http://local.adspower.net:50325//'}}}")
                        .browser().adspower().baseUrl());
    }

    @Test
    void apiKeyFromEnvironmentIsASecretAndIsMasked() {
        RunnerConfig config = load("{'browser': {'provider': 'adspower',"
                + " 'adspower': {'apiKey': '${env:ADSPOWER_API_KEY}'}}}", Map.of("ADSPOWER_API_KEY", "ak-7f3e"));

        assertEquals("ak-7f3e", config.browser().adspower().apiKey());
        assertEquals(Set.of("ak-7f3e"), config.secretValues());
        assertContains("apiKey=***", config.browser().adspower().toString());
        assertFalse(config.browser().toString().contains("ak-7f3e"), config.browser().toString());
    }

    @Test
    void literalApiKeyIsASecretToo() {
        RunnerConfig config = load("{'browser': {'adspower': {'apiKey': 'plain-key'}}}");

        assertEquals(Set.of("plain-key"), config.secretValues());
        assertFalse(config.browser().toString().contains("plain-key"));
    }

    @Test
    void missingApiKeyIsShownAsNone() {
        AdsPower adspower = load("{}").browser().adspower();

        assertNull(adspower.apiKey());
        assertContains("apiKey=none", adspower.toString());
    }

    @Test
    void rejectsMissingApiKeyVariableWithoutShowingOtherSecrets() {
        assertEquals("$.browser.adspower.apiKey: environment variable ADSPOWER_API_KEY is not set, expected it to be "
                        + "set for \"${env:ADSPOWER_API_KEY}\"",
                rejects("{'browser': {'adspower': {'apiKey': '${env:ADSPOWER_API_KEY}'}}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void rejectsBlankApiKey(String key) {
        assertEquals("$.browser.adspower.apiKey: the apiKey is empty, expected a non-empty Local API key, "
                        + "e.g. \"${env:ADSPOWER_API_KEY}\", or no apiKey",
                rejects("{'browser': {'adspower': {'apiKey': '" + key + "'}}}"));
    }

    @Test
    void validatesTheOtherProvidersBlockToo() {
        assertEquals("$.browser.adspower.retries: 11 is too large, expected an integer from 0 to 10",
                rejects("{'browser': {'provider': 'chromium', 'adspower': {'retries': 11}}}"));
    }

    /** {@code {'browser': {'adspower': {'retries': 11}}}} from "adspower.retries" and "11". */
    private static String browser(String dottedKey, String value) {
        String[] keys = dottedKey.split("\\.");
        StringBuilder json = new StringBuilder("{'browser': ");
        for (String key : keys) {
            json.append("{'").append(key).append("': ");
        }
        return json.append(value).append("}".repeat(keys.length + 1)).toString();
    }
}
