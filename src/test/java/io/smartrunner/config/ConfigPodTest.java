package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pods, profiles, names, homepages, argv and session override merging. */
class ConfigPodTest extends ConfigTestSupport {

    @Test
    void podConcurrencyDefaultsToGlobalConcurrency() {
        RunnerConfig config = load("{'runner': {'globalConcurrency': 12}, 'pods': [{'name': 'a'}, "
                + "{'name': 'b', 'concurrency': 3}]}");

        assertEquals(12, config.pods().get(0).concurrency());
        assertEquals(3, config.pods().get(1).concurrency());
    }

    @Test
    void acceptsPodWithEmptyOrMissingProfiles() {
        RunnerConfig config = load("{'pods': [{'name': 'a'}, {'name': 'b', 'profiles': []}]}");

        assertEquals(List.of(), config.pods().get(0).profiles());
        assertEquals(List.of(), config.profiles());
    }

    @Test
    void rejectsPodWithoutName() {
        assertEquals("$.pods[0].name: missing, expected a pod name matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}",
                rejects("{'pods': [{'profiles': []}]}"));
    }

    @Test
    void rejectsProfileWithoutId() {
        assertEquals("$.pods[0].profiles[1].id: missing, expected a profile id matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a'}, {'homepage': 'http://h/'}]}]}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pod A", "", "p/1", "ü", "x12345678901234567890123456789012345678901234567890123456789012345",
            ".", "..", ".hidden", "-x", "_x"})
    void rejectsInvalidPodName(String name) {
        assertEquals("$.pods[0].name: \"" + name + "\" is not a valid pod name, "
                + "expected a pod name matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}", rejects("{'pods': [{'name': '" + name + "'}]}"));
    }

    @Test
    void rejectsInvalidProfileId() {
        assertEquals("$.pods[0].profiles[0].id: \"a:b\" is not a valid profile id, "
                        + "expected a profile id matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a:b'}]}]}"));
    }

    /** Issue #9: ".." as a profile id made the browser's user-data-dir the data dir itself. */
    @ParameterizedTest
    @ValueSource(strings = {".", "..", ".hidden", "-rf", "_x"})
    void rejectsProfileIdsThatAreNotOnePlainPathSegment(String id) {
        assertEquals("$.pods[0].profiles[0].id: \"" + id + "\" is not a valid profile id, "
                        + "expected a profile id matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': '" + id + "'}]}]}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "A.b_c-d", "0", "x123456789012345678901234567890123456789012345678901234567890123"})
    void acceptsPlainIds(String id) {
        assertEquals(id, load("{'pods': [{'name': 'p', 'profiles': [{'id': '" + id + "'}]}]}").profiles().get(0).id());
    }

    @Test
    void rejectsNonStringProfileId() {
        assertEquals("$.pods[0].profiles[0].id: 7 is a number, expected a string",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 7}]}]}"));
    }

    @Test
    void rejectsDuplicatePodNamesNamingBothPaths() {
        assertEquals("$.pods[2].name: duplicate pod name \"a\" (also at $.pods[0].name), expected each pod name once",
                rejects("{'pods': [{'name': 'a'}, {'name': 'b'}, {'name': 'a'}]}"));
    }

    @Test
    void rejectsDuplicateProfileIdsAcrossPods() {
        assertEquals("$.pods[1].profiles[0].id: duplicate profile id \"k1\" (also at $.pods[0].profiles[1].id), "
                        + "expected each profile id once",
                rejects("{'pods': [{'name': 'a', 'profiles': [{'id': 'k0'}, {'id': 'k1'}]},"
                        + " {'name': 'b', 'profiles': [{'id': 'k1'}]}]}"));
    }

    @Test
    void rejectsProfileThatIsNotAnObject() {
        assertEquals("$.pods[0].profiles[0]: \"k1\" is a string, expected a profile object {\"id\", \"homepage\"}",
                rejects("{'pods': [{'name': 'a', 'profiles': ['k1']}]}"));
    }

    @Test
    void rejectsPodsThatAreNotAnArray() {
        assertEquals("$.pods: {} is an object, expected an array of pods", rejects("{'pods': {}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:7070/demo/", "https://example.com", "HTTPS://example.com/a?b=c"})
    void acceptsAbsoluteHttpHomepage(String url) {
        RunnerConfig config = load("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'homepage': '" + url + "'}]}]}");

        assertEquals(url, config.profile("a").orElseThrow().homepage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo/", "/demo", "ftp://example.com/", "http://", "example.com", "http://exa mple.com"})
    void rejectsHomepageThatIsNotAnAbsoluteHttpUrl(String url) {
        assertEquals("$.pods[0].profiles[0].homepage: \"" + url + "\" is not an absolute http(s) URL, "
                        + "expected e.g. \"http://127.0.0.1:7070/demo/\"",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'homepage': '" + url + "'}]}]}"));
    }

    @Test
    void homepageIsOptional() {
        assertNull(load("{'pods': [{'name': 'p', 'profiles': [{'id': 'a'}]}]}").profiles().get(0).homepage());
    }

    @Test
    void mergesSessionOverridesFieldByField() {
        // given top level ← pod ← profile overrides (programs that exist: commands are checked at load)
        Path podDir = dir.resolve("pods/p");
        executable(podDir.resolve("top"));
        RunnerConfig config = load("{'session': {'command': ['./top'], 'env': {'A': 'top', 'B': 'top'},"
                + " 'timeoutMs': 1000, 'cooldownMs': 7},"
                + " 'pods': [{'name': 'p', 'session': {'env': {'B': 'pod', 'C': 'pod'}, 'timeoutMs': 2000,"
                + "   'workingDir': '" + podDir + "'},"
                + "  'profiles': [{'id': 'plain'},"
                + "   {'id': 'custom', 'session': {'command': ['true', '{profileId}'], 'env': {'C': 'me'},"
                + "     'idleTimeoutMs': 50}}]}]}");

        SessionSettings plain = config.profile("plain").orElseThrow().session();
        SessionSettings custom = config.profile("custom").orElseThrow().session();

        assertEquals(List.of("./top"), plain.command());
        assertEquals(Map.of("A", "top", "B", "pod", "C", "pod"), plain.env());
        assertEquals(2000, plain.timeoutMs());
        assertEquals(7, plain.cooldownMs());
        assertEquals(podDir, plain.workingDir());
        assertEquals(List.of("true", "{profileId}"), custom.command());
        assertEquals(Map.of("A", "top", "B", "pod", "C", "me"), custom.env());
        assertEquals(2000, custom.timeoutMs());
        assertEquals(50, custom.idleTimeoutMs());
        assertEquals(0, plain.idleTimeoutMs());
    }

    @Test
    void topLevelSessionIsNotChangedByOverrides() {
        RunnerConfig config = load("{'session': {'timeoutMs': 1000},"
                + " 'pods': [{'name': 'p', 'session': {'timeoutMs': 2000}, 'profiles': [{'id': 'a'}]}]}");

        assertEquals(1000, config.session().timeoutMs());
        assertEquals(SessionSettings.DEFAULT_COMMAND, config.session().command());
    }

    @Test
    void profilesCarryTheirPodNameInFileOrder() {
        RunnerConfig config = load("{'pods': [{'name': 'a', 'profiles': [{'id': 'x'}, {'id': 'y'}]},"
                + " {'name': 'b', 'profiles': [{'id': 'z'}]}]}");

        assertEquals(List.of("x:a", "y:a", "z:b"),
                config.profiles().stream().map(p -> p.id() + ":" + p.pod()).toList());
    }

    @Test
    void rejectsEmptyCommand() {
        assertEquals("$.session.command: [] is empty, expected at least the program, "
                + "e.g. [\"./session.sh\", \"{profileId}\"]", rejects("{'session': {'command': []}}"));
    }

    @Test
    void rejectsNonStringArgvElement() {
        assertEquals("$.session.command[1]: 3 is a number, expected a string",
                rejects("{'session': {'command': ['run', 3]}}"));
    }

    @Test
    void rejectsEmptyProgramName() {
        assertEquals("$.pods[0].profiles[0].session.command[0]: \"\" is an empty program name, "
                        + "expected a program path or name",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'session': {'command': ['', 'x']}}]}]}"));
    }

    @Test
    void rejectsNonStringEnvValue() {
        assertEquals("$.pods[0].session.env.PORT: 80 is a number, expected a string",
                rejects("{'pods': [{'name': 'p', 'session': {'env': {'PORT': 80}}}]}"));
    }

    /** Reviewer R9: the kernel cut "a\u0000b" to "a" while the start event showed it whole. */
    @Test
    void rejectsANulInAnArgumentOrAVariablesValue() {
        assertEquals("$.session.command[1]: an argument \"a\\u0000b\" contains a NUL character (\\u0000), expected"
                + " text without NUL: a process gets each argument and variable cut at the first one",
                rejects("{'session': {'command': ['/bin/echo', 'a\\u0000b']}}"));
        assertEquals("$.session.env.Z: the variable \"Z=p\\u0000q\" contains a NUL character (\\u0000), expected"
                + " text without NUL: a process gets each argument and variable cut at the first one",
                rejects("{'session': {'env': {'Z': 'p\\u0000q'}}}"));
    }

    @Test
    void rejectsInvalidEnvName() {
        assertEquals("$.session.env[\"A=B\"]: invalid environment variable name \"A=B\", "
                + "expected a non-empty name without '=' or NUL", rejects("{'session': {'env': {'A=B': 'x'}}}"));
    }
}
