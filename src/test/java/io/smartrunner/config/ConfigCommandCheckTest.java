package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #9: a session command whose program is missing or not executable paused a whole fleet at
 * run time. It is a config error now, naming the JSON path, the program and what was expected.
 */
class ConfigCommandCheckTest extends ConfigTestSupport {
    private static final String EXPECTED = "expected a program that exists and is executable";

    private String pods(String profileSession) {
        return "'pods': [{'name': 'p', 'profiles': [{'id': 'a'" + profileSession + "}]}]";
    }

    @Test
    void missingProgramOnPathIsNamedWithItsPath() {
        String message = rejects("{'session': {'command': ['no-such-program-xyz', '{profileId}']}, " + pods("") + "}",
                Map.of("PATH", "/usr/bin:/bin"));
        assertContains("$.session.command: cannot start \"no-such-program-xyz\": No such file or directory", message);
        assertContains("PATH \"/usr/bin:/bin\"", message);
        assertContains("profile a", message);
        assertContains(EXPECTED, message);
    }

    @Test
    void programIsLookedUpOnTheRunnersPathOrTheSessionsOwn() {
        Path bin = executable(dir.resolve("tools/worker"));
        String json = "{'session': {'command': ['worker']}, " + pods("") + "}";
        rejects(json, Map.of("PATH", "/usr/bin:/bin"));
        assertEquals(List.of("worker"), load(json, Map.of("PATH", "/usr/bin:" + bin.getParent())).session().command());
        // session.env.PATH, when given, is the child's PATH
        load("{'session': {'command': ['worker'], 'env': {'PATH': '" + bin.getParent() + "'}}, " + pods("") + "}",
                Map.of("PATH", "/usr/bin:/bin"));
    }

    @Test
    void fileWithoutTheExecBitIsRefused() throws Exception {
        Path script = executable(dir.resolve("w.sh"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        String message = rejects("{'session': {'command': ['" + script + "']}, " + pods("") + "}");
        assertContains("$.session.command: cannot start \"" + script + "\": Permission denied", message);
    }

    @Test
    void relativeProgramResolvesAgainstTheWorkingDirectory() {
        executable(dir.resolve("work/bin/w"));
        load("{'session': {'command': ['bin/w'], 'workingDir': '" + dir.resolve("work") + "'}, " + pods("") + "}",
                Map.of("PATH", "/usr/bin:/bin"));
        String message = rejects("{'session': {'command': ['bin/w'], 'workingDir': '" + dir + "'}, " + pods("") + "}");
        assertContains("cannot start \"bin/w\": No such file or directory (working directory " + dir, message);
    }

    @Test
    void theOverrideThatBreaksItIsTheOneNamed() {
        String json = "{'session': {'command': ['true']}, 'pods': [{'name': 'p', 'profiles': [{'id': 'a'}]},"
                + " {'name': 'q', 'session': {'command': ['/nonexistent/pod-worker']}, 'profiles': [{'id': 'b'}]},"
                + " {'name': 'r', 'profiles': [{'id': 'c', 'session': {'command': ['/nonexistent/own']}}]}]}";
        assertContains("$.pods[1].session.command: cannot start \"/nonexistent/pod-worker\"", rejects(json));
        String profileLevel = json.replace("'/nonexistent/pod-worker'", "'true'");
        assertContains("$.pods[2].profiles[0].session.command: cannot start \"/nonexistent/own\"",
                rejects(profileLevel));
    }

    @Test
    void recoveryCommandsAndVerificationAreCheckedToo() {
        String step = "{'session': {'command': ['true']}, 'browser': {'provider': 'none'}, 'recovery': {'steps': ["
                + "{'name': 'ok', 'http': {'url': 'http://127.0.0.1:1/'}}, {'name': 'x', 'command': ['/nonexistent/fix']}]}, "
                + pods("") + "}";
        assertContains("$.recovery.steps[1].command: cannot start \"/nonexistent/fix\"", rejects(step));
        String verify = "{'session': {'command': ['true']}, 'browser': {'provider': 'none'}, "
                + "'recovery': {'verify': {'command': ['/nonexistent/check']}}, " + pods("") + "}";
        assertContains("$.recovery.verify.command: cannot start \"/nonexistent/check\"", rejects(verify));
    }

    @Test
    void theDefaultCommandIsCheckedWhenAProfileUsesIt() {
        // the default bin/smart-runner resolves against the runner's working directory (here: the tests')
        boolean inRepo = Files.isExecutable(Path.of("bin/smart-runner"));
        String json = "{'session': {'workingDir': '" + dir + "'}, " + pods("") + "}";
        String message = rejects(json);
        assertContains("$.session.command: cannot start \"bin/smart-runner\": No such file or directory "
                + "(the default command; working directory " + dir, message);
        if (inRepo) {
            load("{" + pods("") + "}");
        }
    }

    @Test
    void placeholdersAndUnusedCommandsAreNotChecked() {
        load("{'session': {'command': ['{homepage}']}, " + pods("") + "}");
        load("{'session': {'command': ['/nonexistent/nobody-uses-me']}, 'pods': []}");
        load("{'session': {'command': ['/nonexistent/overridden']}, "
                + pods(", 'session': {'command': ['true']}") + "}");
    }

    @Test
    void loadingToInspectSkipsTheProgramCheck() {
        String json = "{'session': {'command': ['/nonexistent/worker']}, " + pods("") + "}";
        rejects(json);
        assertEquals("/nonexistent/worker", ConfigLoader.loadToInspect(file(), Map.of()).session().command().get(0));
    }
}
