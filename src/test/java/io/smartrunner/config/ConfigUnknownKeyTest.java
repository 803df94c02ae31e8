package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unknown keys are rejected at every level, with a near-miss suggestion when there is one. */
class ConfigUnknownKeyTest extends ConfigTestSupport {

    @Test
    void rejectsUnknownKeyWithNearMiss() {
        assertEquals("$.recovery.maxErrorStreek: unknown key, did you mean \"maxErrorStreak\"?",
                rejects("{'recovery': {'maxErrorStreek': 3}}"));
    }

    @Test
    void suggestsCaseInsensitiveMatch() {
        assertEquals("$.runner.GLOBALCONCURRENCY: unknown key, did you mean \"globalConcurrency\"?",
                rejects("{'runner': {'GLOBALCONCURRENCY': 3}}"));
    }

    @Test
    void listsAllowedKeysWhenNoNearMiss() {
        assertEquals("$.http.colour: unknown key, expected one of: bind, port, token, allowedHosts, demoSite,"
                + " livenessTimeoutMs, requestTimeoutMs, maxConnections, maxConnectionsPerClient, readsNeedToken",
                rejects("{'http': {'colour': 'blue'}}"));
    }

    @Test
    void quotesKeysThatAreNotIdentifiersInThePath() {
        assertTrue(rejects("{'session': {'time out': 1}}").startsWith("$.session[\"time out\"]: unknown key"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'pod': []}                                                      | $.pod                        | pods",
        "{'runner': {'dataDirr': 'd'}}                                    | $.runner.dataDirr            | dataDir",
        "{'session': {'commands': ['x']}}                                 | $.session.commands           | command",
        "{'browser': {'providr': 'none'}}                                 | $.browser.providr            | provider",
        "{'http': {'prot': 1}}                                            | $.http.prot                  | port",
        "{'recovery': {'step': []}}                                       | $.recovery.step              | steps",
        "{'recovery': {'steps': [{'name': 'a', 'comand': ['x']}]}}        | $.recovery.steps[0].comand   | command",
        "{'recovery': {'steps': [{'name': 'a', 'http': {'url': 'http://h', 'methd': 'GET'}}]}} | $.recovery.steps[0].http.methd | method",
        "{'recovery': {'verify': {'comand': ['x']}}}                      | $.recovery.verify.comand     | command",
        "{'pods': [{'name': 'p', 'sesion': {}}]}                          | $.pods[0].sesion             | session",
        "{'pods': [{'name': 'p', 'session': {'timeoutMS': 1}}]}           | $.pods[0].session.timeoutMS  | timeoutMs",
        "{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'homePage': 'http://h'}]}]} | $.pods[0].profiles[0].homePage | homepage",
        "{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'session': {'envv': {}}}]}]} | $.pods[0].profiles[0].session.envv | env",
    })
    void rejectsUnknownKeyAtEveryLevel(String json, String path, String suggestion) {
        assertEquals(path + ": unknown key, did you mean \"" + suggestion + "\"?", rejects(json));
    }

    @Test
    void nearMissPrefersCaseInsensitiveEqualityOverEditDistance() {
        assertEquals("Steps", NearMiss.suggest("steps", List.of("step", "Steps")).orElseThrow());
    }

    @Test
    void nearMissAllowsAtMostTwoEdits() {
        assertEquals("timeoutMs", NearMiss.suggest("timeout", List.of("idleTimeoutMs", "timeoutMs")).orElseThrow());
        assertTrue(NearMiss.suggest("timeoutS", List.of("timeoutMs")).isPresent());
        assertTrue(NearMiss.suggest("timeoutSec", List.of("timeoutMs")).isEmpty());
        assertEquals(3, NearMiss.distance("timeoutSec", "timeoutMs"));
    }
}
