package io.smartrunner.cli;

import static io.smartrunner.cli.CliUsageTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression: an invalid profile id given as an argument ({@code pause -- 'dëmo'}) got picocli's
 * "Unmatched argument at index 4", with control characters echoed raw; it now gets the id rule
 * like {@code --pod}, its unprintable characters escaped, exit 2, before the config is read.
 */
class PositionalIdTest {
    private static final String RULE = "expected a profile id matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    @TempDir
    Path dir;

    private String config() throws Exception {
        return Files.writeString(dir.resolve("base.json"), """
                {"runner": {"dataDir": "%s", "eventLog": "%s"}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/true"]}, "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}"""
                .formatted(dir.resolve("data"), dir.resolve("events.jsonl"))).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pause", "unpause", "reset", "run-now"})
    void anInvalidIdArgumentIsTheIdRuleNotAnUnmatchedArgument(String command) throws Exception {
        CliUsageTest.Run r = cli(command, "-c", config(), "--", "dëmo");

        assertEquals(2, r.code(), r.err());
        assertEquals("smart-runner: PROFILE: \"dëmo\" is not a valid id, " + RULE + "\n", r.err());
    }

    @Test
    void eachKindOfBadIdIsNamedWithItsUnprintableCharactersEscaped() throws Exception {
        String cfg = config();
        String long65 = "a".repeat(65);
        String[][] cases = {{"..", "\"..\""}, {long65, "\"" + long65 + "\""}, {"a\nb", "\"a\\nb\""},
            {"x\u001b[31m", "\"x\\u001b[31m\""}, {"tab\there", "\"tab\\there\""}, {"-", "\"-\""}};
        for (String[] c : cases) {
            CliUsageTest.Run r = cli("pause", "-c", cfg, "--", "p1", c[0]);

            assertEquals(2, r.code(), r.err());
            assertEquals("smart-runner: PROFILE: " + c[1] + " is not a valid id, " + RULE + "\n", r.err());
        }
        assertEquals("", cli("pause", "-c", cfg, "--", "a\nb").out());
    }

    @Test
    void anInvalidPodIsEscapedToo() throws Exception {
        CliUsageTest.Run r = cli("pause", "-c", config(), "--pod", "a\nb");

        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals(true, r.err().contains("\"a\\nb\" is not a valid id"), r.err());
    }
}
