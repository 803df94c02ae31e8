package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ${env:NAME}} substitution and secret collection. */
class ConfigSecretTest extends ConfigTestSupport {

    @Test
    void resolvesWholeValueAndCollectsSecret() {
        RunnerConfig config = load("{'http': {'token': '${env:SR_TOKEN}'}}", Map.of("SR_TOKEN", "s3cret-for-the-api-token"));

        assertEquals("s3cret-for-the-api-token", config.http().token());
        assertEquals(Set.of("s3cret-for-the-api-token"), config.secretValues());
    }

    @Test
    void resolvesEmbeddedPlaceholdersAndCollectsOnlyTheSubstitutedParts() {
        RunnerConfig config = load("{'session': {'env': {'AUTH': 'Bearer ${env:TOK}'},"
                        + " 'command': ['curl', '-u', '${env:USER_1}:${env:PASS}', '{profileId}']}}",
                Map.of("TOK", "abc", "USER_1", "bob", "PASS", "pw"));

        assertEquals("Bearer abc", config.session().env().get("AUTH"));
        assertEquals(List.of("curl", "-u", "bob:pw", "{profileId}"), config.session().command());
        assertEquals(Set.of("abc", "bob", "pw"), config.secretValues());
    }

    @Test
    void resolvesInOverridesAndStepsToo() {
        RunnerConfig config = load("{'recovery': {'steps': [{'name': 'kick', 'http': {'url': '${env:KICK_URL}'}}]},"
                        + " 'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'session': {'env': {'K': '${env:K}'}}}]}]}",
                Map.of("KICK_URL", "http://10.0.0.1/kick", "K", "v"));

        assertEquals("http://10.0.0.1/kick", ((StepConfig.Http) config.recovery().steps().get(0)).url());
        assertEquals("v", config.profile("a").orElseThrow().session().env().get("K"));
        assertEquals(Set.of("http://10.0.0.1/kick", "v"), config.secretValues());
    }

    /**
     * status, events and report only look: a reviewer's shell without the runner's secrets could not
     * run `status --json` ("$.session.env.SR_SECRET: environment variable SR_SECRET is not set").
     */
    @Test
    void aCommandThatOnlyLooksKeepsAnUnsetVariableAsWritten() {
        String json = "{'http': {'token': '${env:SR_TOKEN}'}, 'session': {'env': {'K': '${env:SR_SECRET}'}},"
                + " 'alerts': {'webhooks': [{'url': '${env:HOOK_URL}'}]},"
                + " 'recovery': {'steps': [{'name': 'kick', 'http': {'url': '${env:KICK_URL}'}}]}}";
        RunnerConfig config = ConfigLoader.loadToInspect(write(json), Map.of());

        assertEquals("${env:SR_TOKEN}", config.http().token());
        assertEquals("${env:SR_SECRET}", config.session().env().get("K"));
        assertTrue(config.secretValues().stream().allMatch(v -> v.startsWith("${env:")), "nothing was substituted: "
                + config.secretValues());
        assertTrue(rejects(json).endsWith("is not set, expected it to be set for \"${env:SR_SECRET}\""), "run still refuses it");
        org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigLoader.loadForTrial(write(json), Map.of()), "and trial, which runs sessions and steps");
    }

    /**
     * Reviewer R16: a pod named "${env:PODN}" was shown in clear in events, stderr and the API (only
     * /metrics hid it), though ${env:...} values are secrets, masked everywhere. A name keys every
     * event and page, so it cannot be masked: it may not come from the environment.
     */
    @Test
    void aPodNameOrProfileIdFromTheEnvironmentIsRefused() {
        assertEquals("$.pods[0].name: a pod name may not come from an environment variable (${env:PODN}): it is shown"
                + " in every event, page and metric, while values from ${env:...} are secrets, masked, expected "
                + ProfileId.expected("pod name") + ", written in the file",
                rejects("{'pods': [{'name': '${env:PODN}', 'profiles': [{'id': 'a'}]}]}", Map.of("PODN", "secretpod")));
        assertTrue(rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'x-${env:ID}'}]}]}", Map.of("ID", "1"))
                .startsWith("$.pods[0].profiles[0].id: a profile id may not come from an environment variable"));
    }

    /**
     * Reviewer R12 F2: with PostgreSQL the commands that only look read the store with its password,
     * and the text "${env:SR_PG_PASSWORD}" kept as written was sent as the password.
     */
    @Test
    void aCommandThatOnlyLooksNeedsTheStoresVariablesAndStillNotTheOthers() {
        String json = "{'http': {'token': '${env:SR_TOKEN}'}, 'session': {'env': {'K': '${env:SR_SECRET}'}},"
                + " 'store': {'kind': 'postgres', 'url': 'jdbc:postgresql://db1/fleet', 'user': 'sr',"
                + " 'password': '${env:SR_PG_PASSWORD}'}}";
        ConfigException unset = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigLoader.loadToInspect(write(json), Map.of()));

        assertEquals(file() + ": $.store.password: environment variable SR_PG_PASSWORD is not set, expected it to be"
                + " set for \"${env:SR_PG_PASSWORD}\" (reading the fleet's PostgreSQL store needs it)", unset.getMessage());
        RunnerConfig set = ConfigLoader.loadToInspect(write(json), Map.of("SR_PG_PASSWORD", "pg-pw-1"));
        assertEquals("pg-pw-1", set.store().password());
        assertTrue(set.secretValues().contains("pg-pw-1"), "redacted like every other secret");
        assertEquals("${env:SR_TOKEN}", set.http().token());
        assertEquals("${env:SR_SECRET}", set.session().env().get("K"));
        assertEquals("$.store.url: environment variable SR_PG_URL is not set, expected it to be set for"
                + " \"${env:SR_PG_URL}\" (reading the fleet's PostgreSQL store needs it)",
                org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ConfigLoader.loadToInspect(
                        write("{'store': {'kind': 'postgres', 'url': '${env:SR_PG_URL}'}}"), Map.of()))
                        .getMessage().substring(file().toString().length() + 2));
        assertEquals("$.store.password: environment variable SR_PG_PASSWORD is not set, expected it to be set for"
                + " \"${env:SR_PG_PASSWORD}\"", rejects("{'store': {'kind': 'postgres', 'url': 'jdbc:postgresql://db1/f',"
                + " 'password': '${env:SR_PG_PASSWORD}'}}"), "run, which needs every variable, says it as before");
    }

    /**
     * Where the state is and whose it is, which every command uses: kept as written, a data dir
     * "${env:STATE_DIRECTORY}" was looked for as that directory, and a runner.name from the
     * environment was "not a valid name" (reviewer R12 F4, import-state taking the commands' load).
     */
    @Test
    void aCommandThatOnlyLooksNeedsTheRunnerBlocksVariables() {
        String dataDir = rejectsToInspect("{'runner': {'dataDir': '${env:STATE_DIRECTORY}/sr'}}");
        String name = rejectsToInspect("{'runner': {'name': '${env:SR_RUNNER_NAME}'}, 'http': {'token': '${env:SR_TOKEN}'}}");

        assertEquals("$.runner.dataDir: environment variable STATE_DIRECTORY is not set, expected it to be set for"
                + " \"${env:STATE_DIRECTORY}\" (every command finds the runner's data dir, event log and name here)", dataDir);
        assertEquals("$.runner.name: environment variable SR_RUNNER_NAME is not set, expected it to be set for"
                + " \"${env:SR_RUNNER_NAME}\" (every command finds the runner's data dir, event log and name here)", name);
        assertEquals("alpha", ConfigLoader.loadToInspect(write("{'runner': {'name': '${env:SR_RUNNER_NAME}'},"
                + " 'http': {'token': '${env:SR_TOKEN}'}}"), Map.of("SR_RUNNER_NAME", "alpha")).runner().name());
    }

    private String rejectsToInspect(String json) {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigLoader.loadToInspect(write(json), Map.of()));
        return e.getMessage().substring(file().toString().length() + 2);
    }

    @Test
    void rejectsMissingVariableNamingPathAndVariable() {
        assertEquals("$.http.token: environment variable SR_TOKEN is not set, expected it to be set for "
                + "\"${env:SR_TOKEN}\"", rejects("{'http': {'token': '${env:SR_TOKEN}'}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"${TOKEN}", "${env:}", "${env:1X}", "${env:A-B}", "${file:/etc/x}", "a ${ env:X }"})
    void rejectsMalformedPlaceholder(String value) {
        assertContains("$.session.env.X: unsupported placeholder",
                rejects("{'session': {'env': {'X': '" + value + "'}}}", Map.of("X", "x", "TOKEN", "t")));
    }

    @Test
    void rejectsUnclosedPlaceholder() {
        assertEquals("$.session.command[1]: unclosed placeholder \"${env:X\", expected ${env:NAME} with NAME "
                        + "matching [A-Za-z_][A-Za-z0-9_]*",
                rejects("{'session': {'command': ['run', '${env:X']}}", Map.of("X", "x")));
    }

    @Test
    void keepsSessionPlaceholdersForLater() {
        RunnerConfig config = load("{'session': {'command': ['run', '{profileId}', '--pod={pod}', '$HOME']}}");

        assertEquals(List.of("run", "{profileId}", "--pod={pod}", "$HOME"), config.session().command());
        assertEquals(Set.of(), config.secretValues());
    }

    @Test
    void doesNotResolveSubstitutedValuesAgain() {
        RunnerConfig config = load("{'session': {'env': {'X': '${env:A}'}}}", Map.of("A", "${env:B}", "B", "b"));

        assertEquals("${env:B}", config.session().env().get("X"));
    }

    @Test
    void errorMessagesShowTheTemplateNotTheSecret() {
        String message = rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'homepage': '${env:HP}'}]}]}",
                Map.of("HP", "hunter2-not-a-url"));

        assertContains("\"${env:HP}\" is not an absolute http(s) URL", message);
        assertFalse(message.contains("hunter2"), message);
    }

    @Test
    void doesNotCollectEmptyValues() {
        RunnerConfig config = load("{'session': {'env': {'X': '${env:EMPTY}'}}}", Map.of("EMPTY", ""));

        assertEquals("", config.session().env().get("X"));
        assertEquals(Set.of(), config.secretValues());
    }

    @Test
    void leavesKeysAlone() {
        RunnerConfig config = load("{'session': {'env': {'${env:X}': 'v'}}}", Map.of("X", "x"));

        assertEquals("v", config.session().env().get("${env:X}"));
    }
}
