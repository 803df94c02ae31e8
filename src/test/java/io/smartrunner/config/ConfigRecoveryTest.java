package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The recovery ladder's steps and verification. */
class ConfigRecoveryTest extends ConfigTestSupport {
    private static final String CHROMIUM = "'browser': {'provider': 'chromium'}";
    private static final String NO_BROWSER = "'browser': {'provider': 'none'}";

    @Test
    void defaultStepsAreTheFiveBrowserStepsWhenAProviderIsSet() {
        RecoverySettings recovery = load("{" + CHROMIUM + "}").recovery();

        assertEquals(RecoverySettings.BROWSER_STEPS, recovery.steps().stream().map(StepConfig::name).toList());
        assertEquals(new StepConfig.Builtin("goToHomepage"), recovery.steps().get(0));
        assertEquals(new VerifyConfig.Browser(), recovery.verify());
    }

    @Test
    void defaultLadderIsTheFiveBrowserStepsSinceChromiumIsTheDefaultProvider() {
        RecoverySettings recovery = load("{}").recovery();

        assertEquals(RecoverySettings.BROWSER_STEPS, recovery.steps().stream().map(StepConfig::name).toList());
        assertEquals(new VerifyConfig.Browser(), recovery.verify());
    }

    @Test
    void defaultLadderIsEmptyWithoutProvider() {
        RecoverySettings recovery = load("{" + NO_BROWSER + "}").recovery();

        assertEquals(List.of(), recovery.steps());
        assertEquals(new VerifyConfig.None(), recovery.verify());
    }

    @Test
    void bindsBuiltinCommandAndHttpSteps() {
        RecoverySettings recovery = load("{" + CHROMIUM + ", 'recovery': {'steps': ['refreshPage',"
                + " {'name': 'clearCache', 'command': ['./clear.sh', '{profileId}']},"
                + " {'name': 'kick', 'http': {'method': 'post', 'url': 'http://127.0.0.1:9000/kick/{profileId}',"
                + "   'expect': 204, 'timeoutMs': 500}},"
                + " {'name': 'ping', 'http': {'url': 'https://example.com/ping'}}]}}").recovery();

        assertEquals(List.of(
                new StepConfig.Builtin("refreshPage"),
                new StepConfig.Command("clearCache", List.of("./clear.sh", "{profileId}")),
                new StepConfig.Http("kick", "POST", "http://127.0.0.1:9000/kick/{profileId}", 204, 500),
                new StepConfig.Http("ping", "GET", "https://example.com/ping", 200, 0)), recovery.steps());
    }

    @Test
    void acceptsEmptyStepList() {
        assertEquals(List.of(), load("{" + CHROMIUM + ", 'recovery': {'steps': []}}").recovery().steps());
    }

    @Test
    void rejectsUnknownStepListingKnownOnes() {
        assertEquals("$.recovery.steps[1]: unknown step \"rebootPc\", expected a built-in step name (goToHomepage, "
                        + "browserBack, refreshPage, reopenProfile, restartProfile) or an object {\"name\", \"command\"}"
                        + " or {\"name\", \"http\"}",
                rejects("{" + CHROMIUM + ", 'recovery': {'steps': ['refreshPage', 'rebootPc']}}"));
    }

    @Test
    void suggestsBuiltinStepForNearMiss() {
        assertContains("$.recovery.steps[0]: unknown step \"gotoHomepage\" (did you mean \"goToHomepage\"?), expected",
                rejects("{" + CHROMIUM + ", 'recovery': {'steps': ['gotoHomepage']}}"));
    }

    @Test
    void rejectsBrowserStepWithoutProvider() {
        assertEquals("$.recovery.steps[0]: \"goToHomepage\" needs a browser provider, but browser.provider is "
                        + "\"none\", expected browser.provider \"chromium\" or \"adspower\", or a command/http step",
                rejects("{" + NO_BROWSER + ", 'recovery': {'steps': ['goToHomepage']}}"));
    }

    @Test
    void acceptsGenericStepsWithoutProvider() {
        assertEquals(1, load("{" + NO_BROWSER + ", 'recovery': {'steps': [{'name': 'x', 'command': ['x']}]}}").recovery()
                .steps().size());
    }

    @Test
    void rejectsDuplicateStepNames() {
        assertEquals("$.recovery.steps[2]: duplicate step name \"refreshPage\" (also at $.recovery.steps[0]), "
                        + "expected unique step names",
                rejects("{" + CHROMIUM + ", 'recovery': {'steps': ['refreshPage', 'browserBack',"
                        + " {'name': 'refreshPage', 'command': ['r']}]}}"));
    }

    @Test
    void rejectsStepWithBothKinds() {
        assertEquals("$.recovery.steps[0]: both \"command\" and \"http\" given, expected exactly one of them",
                rejects("{'recovery': {'steps': [{'name': 'a', 'command': ['x'], 'http': {'url': 'http://h'}}]}}"));
    }

    @Test
    void rejectsStepWithNeitherKind() {
        assertEquals("$.recovery.steps[0]: no \"command\" or \"http\" given, expected exactly one of them",
                rejects("{'recovery': {'steps': [{'name': 'a'}]}}"));
    }

    @Test
    void rejectsStepWithoutName() {
        assertEquals("$.recovery.steps[0].name: missing, expected a step name matching [A-Za-z0-9._-]{1,64}",
                rejects("{'recovery': {'steps': [{'command': ['x']}]}}"));
    }

    @Test
    void rejectsStepThatIsNeitherStringNorObject() {
        assertContains("$.recovery.steps[0]: 3 is a number, expected a built-in step name",
                rejects("{'recovery': {'steps': [3]}}"));
    }

    @Test
    void rejectsEmptyStepCommand() {
        assertContains("$.recovery.steps[0].command: [] is empty",
                rejects("{'recovery': {'steps': [{'name': 'a', 'command': []}]}}"));
    }

    @Test
    void rejectsUnsupportedHttpMethod() {
        assertEquals("$.recovery.steps[0].http.method: \"FETCH\" is not a supported method, expected one of \"GET\", "
                        + "\"POST\", \"PUT\", \"DELETE\", \"PATCH\", \"HEAD\"",
                rejects("{'recovery': {'steps': [{'name': 'a', 'http': {'method': 'FETCH', 'url': 'http://h'}}]}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://h/x", "/kick", "{profileId}", "http:///path"})
    void rejectsHttpStepUrlThatIsNotHttp(String url) {
        assertContains("$.recovery.steps[0].http.url: \"" + url + "\" is not an absolute http(s) URL",
                rejects("{'recovery': {'steps': [{'name': 'a', 'http': {'url': '" + url + "'}}]}}"));
    }

    @Test
    void rejectsHttpStepWithoutUrl() {
        assertEquals("$.recovery.steps[0].http.url: missing, expected an http(s) URL",
                rejects("{'recovery': {'steps': [{'name': 'a', 'http': {'method': 'GET'}}]}}"));
    }

    @ParameterizedTest
    @ValueSource(ints = {99, 600})
    void rejectsExpectedStatusOutOfRange(int status) {
        assertContains("$.recovery.steps[0].http.expect: " + status + " is too ",
                rejects("{'recovery': {'steps': [{'name': 'a', 'http': {'url': 'http://h', 'expect': " + status
                        + "}}]}}"));
    }

    @Test
    void bindsVerifyVariants() {
        assertEquals(new VerifyConfig.None(), load("{" + CHROMIUM + ", 'recovery': {'verify': 'none'}}")
                .recovery().verify());
        assertEquals(new VerifyConfig.Browser(), load("{" + CHROMIUM + ", 'recovery': {'verify': 'BROWSER'}}")
                .recovery().verify());
        assertEquals(new VerifyConfig.Command(List.of("./check.sh", "{profileId}")),
                load("{'recovery': {'verify': {'command': ['./check.sh', '{profileId}']}}}").recovery().verify());
    }

    @Test
    void rejectsBrowserVerifyWithoutProvider() {
        assertContains("$.recovery.verify: \"browser\" verification needs a browser provider, but browser.provider is "
                + "\"none\"", rejects("{" + NO_BROWSER + ", 'recovery': {'verify': 'browser'}}"));
    }

    @Test
    void rejectsUnknownVerify() {
        assertEquals("$.recovery.verify: \"chrome\" is not a known check, expected \"none\", \"browser\" or "
                + "{\"command\": [...]}", rejects("{'recovery': {'verify': 'chrome'}}"));
    }

    @Test
    void rejectsVerifyOfWrongType() {
        assertContains("$.recovery.verify: [\"x\"] is an array, expected \"none\"",
                rejects("{'recovery': {'verify': ['x']}}"));
    }

    @Test
    void rejectsVerifyObjectWithoutCommand() {
        assertContains("$.recovery.verify.command: missing, expected an argv array",
                rejects("{'recovery': {'verify': {}}}"));
    }
}
