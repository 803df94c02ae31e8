package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** session.exitCodes and the breaker block (DESIGN §2b). */
class ConfigBlameTest extends ConfigTestSupport {
    private static final String POD = "'browser': {'provider': 'none'}, 'pods': [{'name': 'podA', ";

    @Test
    void exitCodesAreMergedTopPodProfileAndUnmappedCodesMeanProfile() {
        RunnerConfig c = load("{'session': {'exitCodes': {'75': 'retry-later', '78': 'config'}}, " + POD
                + "'session': {'exitCodes': {'75': 'profile'}}, 'profiles': [{'id': 'p1'},"
                + " {'id': 'p2', 'session': {'exitCodes': {'0': 'config'}}}]}]}");
        assertEquals(Map.of(75, ExitMeaning.RETRY_LATER, 78, ExitMeaning.CONFIG), c.session().exitCodes());
        SessionSettings p1 = c.profile("p1").orElseThrow().session();
        assertEquals(Map.of(75, ExitMeaning.PROFILE, 78, ExitMeaning.CONFIG), p1.exitCodes());
        assertEquals(ExitMeaning.PROFILE, p1.meaningOf(3));
        assertEquals(ExitMeaning.PROFILE, p1.meaningOf(null));
        assertEquals(ExitMeaning.CONFIG, c.profile("p2").orElseThrow().session().meaningOf(0));
    }

    @Test
    void anUnknownMeaningIsOneLineNamingThePath() {
        String m = rejects("{'session': {'exitCodes': {'75': 'later'}}}");
        assertEquals("$.session.exitCodes[\"75\"]: \"later\" is not a known meaning, expected one of \"profile\","
                + " \"retry-later\", \"config\"", m);
    }

    @Test
    void aCodeThatIsNotANumberFrom0To255IsRejected() {
        assertContains("\"256\" is not an exit code, expected a key from \"0\" to \"255\"",
                rejects("{'session': {'exitCodes': {'256': 'config'}}}"));
        assertContains("\"x\" is not an exit code", rejects("{'session': {'exitCodes': {'x': 'config'}}}"));
        assertContains("\"-1\" is not an exit code", rejects("{'session': {'exitCodes': {'-1': 'config'}}}"));
        assertContains("\"075\" is not an exit code", rejects("{'session': {'exitCodes': {'075': 'config'}}}"));
        assertContains("$.session.exitCodes: [] is an array", rejects("{'session': {'exitCodes': []}}"));
    }

    @Test
    void theBreakerHasDocumentedDefaultsAndCanBeTurnedOff() {
        assertEquals(BreakerSettings.defaults(), load("{}").breaker());
        assertEquals(new BreakerSettings(true, 0.5, 60_000, 5, 30_000, 0.1), load("{}").breaker());
        BreakerSettings b = load("{'breaker': {'enabled': false, 'failureRatio': 0.8, 'windowMs': 10000,"
                + " 'minProfiles': 3, 'probeIntervalMs': 5000, 'maxPausedShare': 0.25}}").breaker();
        assertEquals(new BreakerSettings(false, 0.8, 10_000, 3, 5_000, 0.25), b);
    }

    @Test
    void aPodsBreakerOverridesTheTopLevelOneFieldByField() {
        RunnerConfig c = load("{'breaker': {'windowMs': 20000, 'maxPausedShare': 0.2}, " + POD
                + "'breaker': {'enabled': false}, 'profiles': [{'id': 'p1'}]},"
                + " {'name': 'podB', 'profiles': [{'id': 'p2'}]}]}");
        assertEquals(new BreakerSettings(false, 0.5, 20_000, 5, 30_000, 0.2), c.breakerOf("podA"));
        assertEquals(new BreakerSettings(true, 0.5, 20_000, 5, 30_000, 0.2), c.breakerOf("podB"));
        assertContains("$.pods[0].breaker.minProfiles", rejects("{" + POD
                + "'breaker': {'minProfiles': -1}, 'profiles': [{'id': 'p1'}]}]}"));
    }

    @Test
    void badBreakerValuesAreOneLineNamingThePath() {
        assertContains("$.breaker.failureRatio: 1.5 is too large, expected a number from 0.01 to 1.0",
                rejects("{'breaker': {'failureRatio': 1.5}}"));
        assertContains("$.breaker.maxPausedShare: -0.1 is too small",
                rejects("{'breaker': {'maxPausedShare': -0.1}}"));
        assertContains("$.breaker.windowSize: unknown key, expected one of: enabled, failureRatio, windowMs",
                rejects("{'breaker': {'windowSize': 3}}"));
        assertContains("$.breaker.minProfiles", rejects("{'breaker': {'minProfiles': 0}}"));
    }
}
