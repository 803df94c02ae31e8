package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Profile keys for browser providers: {@code verifyExpression} and {@code adspowerUserId}. */
class ConfigBrowserProfileTest extends ConfigTestSupport {

    @Test
    void newKeysAreOptional() {
        ProfileConfig profile = load(pods("chromium", "{'id': 'a'}")).profiles().get(0);

        assertEquals(new ProfileConfig("a", "p", null, SessionSettings.defaults(), null, null), profile);
    }

    @Test
    void loadsVerifyExpressionAsGiven() {
        ProfileConfig profile = load(pods("chromium",
                "{'id': 'a', 'verifyExpression': 'document.querySelector(\\\"#feed\\\") !== null'}")).profiles().get(0);

        assertEquals("document.querySelector(\"#feed\") !== null", profile.verifyExpression());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void rejectsBlankVerifyExpression(String expression) {
        assertEquals("$.pods[0].profiles[0].verifyExpression: \"" + expression + "\" is empty, "
                        + "expected a JavaScript expression, truthy when the page is healthy, "
                        + "e.g. \"!!document.title\"",
                rejects(pods("chromium", "{'id': 'a', 'verifyExpression': '" + expression + "'}")));
    }

    @Test
    void rejectsNonStringVerifyExpression() {
        assertEquals("$.pods[0].profiles[0].verifyExpression: true is a boolean, expected a string",
                rejects(pods("chromium", "{'id': 'a', 'verifyExpression': true}")));
    }

    @Test
    void adspowerUserIdDefaultsToTheProfileIdWithTheAdsPowerProvider() {
        RunnerConfig config = load(pods("adspower", "{'id': 'k12im9s2'}, {'id': 'b', 'adspowerUserId': 'j7x_1-Q'}"));

        assertEquals(List.of("k12im9s2", "j7x_1-Q"), config.profiles().stream().map(ProfileConfig::adspowerUserId)
                .toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "chromium"})
    void adspowerUserIdStaysUnsetWithOtherProviders(String provider) {
        RunnerConfig config = load(pods(provider, "{'id': 'a'}, {'id': 'b', 'adspowerUserId': 'j7x'}"));

        assertNull(config.profile("a").orElseThrow().adspowerUserId());
        assertEquals("j7x", config.profile("b").orElseThrow().adspowerUserId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a.b", "a b", "ü", "k:1"})
    void rejectsAdspowerUserIdNotMatchingThePattern(String userId) {
        assertEquals("$.pods[0].profiles[0].adspowerUserId: \"" + userId + "\" is not a valid AdsPower user_id, "
                        + "expected an AdsPower user_id matching [A-Za-z0-9_-]{1,64}",
                rejects(pods("chromium", "{'id': 'a', 'adspowerUserId': '" + userId + "'}")));
    }

    @Test
    void adspowerUserIdHasAtMost64Characters() {
        String longest = "u".repeat(64);

        assertEquals(longest, load(pods("adspower", "{'id': 'a', 'adspowerUserId': '" + longest + "'}"))
                .profiles().get(0).adspowerUserId());
        assertContains("is not a valid AdsPower user_id",
                rejects(pods("adspower", "{'id': 'a', 'adspowerUserId': '" + longest + "u'}")));
    }

    @Test
    void rejectsNonStringAdspowerUserId() {
        assertEquals("$.pods[0].profiles[0].adspowerUserId: 12 is a number, expected a string",
                rejects(pods("adspower", "{'id': 'a', 'adspowerUserId': 12}")));
    }

    @Test
    void rejectsProfileIdThatCannotBeTheDefaultAdspowerUserId() {
        assertEquals("$.pods[0].profiles[1].id: \"demo.b\" is not a valid AdsPower user_id and no adspowerUserId "
                        + "is given, expected an \"adspowerUserId\" matching [A-Za-z0-9_-]{1,64}",
                rejects(pods("adspower", "{'id': 'a'}, {'id': 'demo.b'}")));
    }

    @Test
    void acceptsDottedProfileIdWithItsOwnAdspowerUserId() {
        assertEquals("demo_b", load(pods("adspower", "{'id': 'demo.b', 'adspowerUserId': 'demo_b'}"))
                .profiles().get(0).adspowerUserId());
    }

    @Test
    void acceptsDottedProfileIdWithoutAdspowerUserIdForOtherProviders() {
        assertNull(load(pods("chromium", "{'id': 'demo.b'}")).profiles().get(0).adspowerUserId());
    }

    @Test
    void rejectsTwoProfilesSharingAnAdspowerUserId() {
        assertEquals("$.pods[0].profiles[1].adspowerUserId: duplicate AdsPower user_id \"u1\" "
                        + "(also at $.pods[0].profiles[0].adspowerUserId), expected each AdsPower user_id once",
                rejects(pods("chromium", "{'id': 'a', 'adspowerUserId': 'u1'}, {'id': 'b', 'adspowerUserId': 'u1'}")));
    }

    @Test
    void rejectsAdspowerUserIdClashingWithAnotherProfilesDefault() {
        assertEquals("$.pods[0].profiles[1].id: duplicate AdsPower user_id \"a\" "
                        + "(also at $.pods[0].profiles[0].adspowerUserId), expected each AdsPower user_id once",
                rejects(pods("adspower", "{'id': 'z', 'adspowerUserId': 'a'}, {'id': 'a'}")));
    }

    @Test
    void rejectsNearMissOfTheNewKeys() {
        assertEquals("$.pods[0].profiles[0].adspowerUserID: unknown key, did you mean \"adspowerUserId\"?",
                rejects(pods("adspower", "{'id': 'a', 'adspowerUserID': 'u'}")));
        assertEquals("$.pods[0].profiles[0].verifyExpresion: unknown key, did you mean \"verifyExpression\"?",
                rejects(pods("chromium", "{'id': 'a', 'verifyExpresion': 'true'}")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromium", "adspower"})
    void homepageStaysOptionalWithABrowserProvider(String provider) {
        assertNull(load(pods(provider, "{'id': 'a'}")).profiles().get(0).homepage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromium", "adspower"})
    void homepageMustStillBeHttpWithABrowserProvider(String provider) {
        assertEquals("$.pods[0].profiles[0].homepage: \"file:///tmp/x.html\" is not an absolute http(s) URL, "
                        + "expected e.g. \"http://127.0.0.1:7070/demo/\"",
                rejects(pods(provider, "{'id': 'a', 'homepage': 'file:///tmp/x.html'}")));
    }

    /** A config with {@code browser.provider} and one pod "p" holding {@code profiles}. */
    private static String pods(String provider, String profiles) {
        return "{'browser': {'provider': '" + provider + "'}, 'pods': [{'name': 'p', 'profiles': [" + profiles + "]}]}";
    }
}
