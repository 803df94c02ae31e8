package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.testkit.RecordEquality;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code session.inheritEnv}: which of the runner's variables children inherit beyond the safe base. */
class ConfigInheritEnvTest extends ConfigTestSupport {

    @Test
    void defaultIsTheSafeBaseOnly() {
        assertEquals(InheritEnv.NONE, load("{}").session().inheritEnv());
        assertEquals(InheritEnv.NONE, load("{'session': {'inheritEnv': false}}").session().inheritEnv());
    }

    @Test
    void trueInheritsEverythingAListNamesVariables() {
        assertEquals(new InheritEnv(true, List.of()), load("{'session': {'inheritEnv': true}}").session().inheritEnv());
        assertEquals(new InheritEnv(false, List.of("HTTP_PROXY", "_X1")),
                load("{'session': {'inheritEnv': ['HTTP_PROXY', '_X1']}}").session().inheritEnv());
    }

    @Test
    void podAndProfileReplaceTheParentsValue() {
        RunnerConfig config = load("{'session': {'inheritEnv': ['A']}, 'pods': ["
                + "{'name': 'p', 'session': {'inheritEnv': ['B']}, 'profiles': [{'id': 'x'},"
                + " {'id': 'y', 'session': {'inheritEnv': true}}]},"
                + "{'name': 'q', 'profiles': [{'id': 'z'}]}]}");

        assertEquals(new InheritEnv(false, List.of("B")), config.profile("x").orElseThrow().session().inheritEnv());
        assertEquals(new InheritEnv(true, List.of()), config.profile("y").orElseThrow().session().inheritEnv());
        assertEquals(new InheritEnv(false, List.of("A")), config.profile("z").orElseThrow().session().inheritEnv());
    }

    @Test
    void rejectsAnInvalidNameNamingItsPath() {
        assertEquals("$.pods[0].profiles[0].session.inheritEnv[1]: \"A-B\" is not a valid environment variable "
                        + "name, expected a name matching [A-Za-z_][A-Za-z0-9_]*",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'x', 'session': {'inheritEnv': ['OK', 'A-B']}}]}]}"));
        assertContains("$.session.inheritEnv[0]: \"\" is not a valid environment variable name",
                rejects("{'session': {'inheritEnv': ['']}}"));
        assertContains("$.session.inheritEnv[0]: \"1X\" is not a valid", rejects("{'session': {'inheritEnv': ['1X']}}"));
    }

    @Test
    void rejectsOtherTypes() {
        assertContains("$.session.inheritEnv: \"PATH\" is a string, expected true (every variable), false, or an "
                + "array of variable names", rejects("{'session': {'inheritEnv': 'PATH'}}"));
        assertContains("$.session.inheritEnv[0]: 3 is a number", rejects("{'session': {'inheritEnv': [3]}}"));
    }

    @Test
    void anInheritEnvIsEqualExactlyWhenBothComponentsAre() throws Exception {
        RecordEquality.check(InheritEnv.class);
    }
}
