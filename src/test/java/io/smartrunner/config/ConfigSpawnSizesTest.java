package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue #9: a 10 MB environment value was accepted, then every spawn failed (E2BIG). Bounded at load. */
class ConfigSpawnSizesTest extends ConfigTestSupport {
    private static String repeat(int n) {
        return "x".repeat(n);
    }

    @Test
    void tenMegabyteEnvValueIsRefusedNamingItsPathNotItsValue() {
        String message = rejects("{'session': {'env': {'BIG': '${env:BIG}'}}}", Map.of("BIG", repeat(10_000_000)));
        assertContains("$.session.env.BIG: the variable of 9.5 MiB is too long for a process to be started with, "
                + "expected at most 128.0 KiB", message);
        assertFalse(message.contains("xxxx"), "the value is not echoed");
    }

    @Test
    void valueJustUnderTheLimitLoads() {
        // "V=" + value + NUL = 128 KiB exactly
        String value = repeat(128 * 1024 - 3);
        assertEquals(value, load("{'session': {'env': {'V': '" + value + "'}}}").session().env().get("V"));
        rejects("{'session': {'env': {'V': '" + value + "x'}}}");
    }

    @Test
    void longArgumentIsRefusedAtItsIndex() {
        String message = rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'session': "
                + "{'command': ['{homepage}', '" + repeat(200_000) + "']}}]}]}");
        assertContains("$.pods[0].profiles[0].session.command[1]: an argument of 195.3 KiB is too long", message);
    }

    @Test
    void tooManyArgumentsAreRefused() {
        String args = String.join(",", Collections.nCopies(SpawnSizes.MAX_ARGS + 1, "'a'"));
        assertContains("$.session.command: 4097 arguments, expected at most 4096",
                rejects("{'session': {'command': [" + args + "]}}"));
    }

    @Test
    void totalOfCommandAndEnvIsBoundedWhereTheOverrideCrossesIt() {
        // 9 values of 120 KiB = 1080 KiB: each fine alone, too much together; the pod's override tips it over
        StringBuilder top = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            top.append(i == 0 ? "" : ", ").append("'T").append(i).append("': '").append(repeat(120 * 1024)).append("'");
        }
        StringBuilder pod = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            pod.append(i == 0 ? "" : ", ").append("'P").append(i).append("': '").append(repeat(120 * 1024)).append("'");
        }
        String message = rejects("{'session': {'env': {" + top + "}}, 'pods': [{'name': 'p', 'session': {'env': {"
                + pod + "}}}]}");
        assertContains("$.pods[0].session: command and env together take 1.1 MiB, expected at most 1.0 MiB", message);
    }
}
