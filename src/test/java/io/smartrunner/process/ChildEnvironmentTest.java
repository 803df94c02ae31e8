package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.testkit.RecordEquality;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What of the runner's environment a real child sees, through both launchers. The runner's
 * environment is given (a real one cannot be changed from Java): it holds a secret the config
 * used as {@code ${env:SR_TEST_SECRET}}, an unrelated variable, and the safe base.
 */
class ChildEnvironmentTest {
    private static final String SECRET = "hunter2-" + System.nanoTime();
    private final Children children = new Children();
    @TempDir
    Path dir;

    private static Map<String, String> runnerEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", "/home/runner");
        env.put("LC_TIME", "C");
        env.put("SR_TEST_SECRET", SECRET);
        env.put("SR_TEST_SECRET_ALIAS", SECRET);
        env.put("OTHER_VAR", "other");
        env.put("DISPLAY", ":9");
        return env;
    }

    private static ProcessLauncher launcher(String kind) {
        ChildEnvironment env = ChildEnvironment.of(runnerEnv(), Set.of(SECRET));
        return kind.equals("posix_spawn") ? new PosixSpawnLauncher(env, ProcessTimers.shared())
                : new OsProcessLauncher(env, ProcessTimers.shared());
    }

    @AfterEach
    void cleanUp() {
        children.killAll();
    }

    /** The environment a child printed (via /usr/bin/env). */
    private Map<String, String> childEnv(String kind, EnvInheritance inherit) throws Exception {
        String session = children.newSession();
        Path out = dir.resolve(session + ".stdout.log");
        RunningProcess child = launcher(kind).launch(new LaunchSpec(session, List.of("env"),
                Map.of("SR_SESSION_ID", session, "FROM_SESSION_ENV", "mine"), dir,
                OutputFiles.forProfile(dir, session, 0, 0), inherit));
        assertEquals(ExitStatus.exited(0), child.onExit().get(10, TimeUnit.SECONDS));
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return env;
    }

    @Test
    void oneEnvironmentServesEachInheritanceItsOwnVariablesLaunchAfterLaunch() {
        ChildEnvironment env = ChildEnvironment.of(runnerEnv(), Set.of(SECRET));
        for (int launch = 0; launch < 2; launch++) { // the second time from what the first filtered
            assertEquals(Set.of("PATH", "HOME", "LC_TIME", "MINE"),
                    env.build(EnvInheritance.safeBase(), Map.of("MINE", "1")).keySet());
            assertEquals(Set.of("PATH", "HOME", "LC_TIME", "OTHER_VAR", "DISPLAY"),
                    env.build(EnvInheritance.safeBase().with(true, List.of()), Map.of()).keySet(),
                    "everything but the secrets, and no MINE from another launch");
            assertEquals(Set.of("PATH", "HOME", "LC_TIME", "SR_TEST_SECRET"),
                    env.build(EnvInheritance.safeBase().with(false, List.of("SR_TEST_SECRET")), Map.of()).keySet());
            assertEquals(Set.of("PATH", "HOME", "LC_TIME", "DISPLAY"),
                    env.build(EnvInheritance.browser(), Map.of()).keySet());
        }
        Map<String, String> built = env.build(EnvInheritance.safeBase(), Map.of());
        built.put("CHANGED", "by the launch");
        assertFalse(env.build(EnvInheritance.safeBase(), Map.of()).containsKey("CHANGED"), "a launch's copy is its own");
    }

    @ParameterizedTest
    @ValueSource(strings = {"posix_spawn", "jdk"})
    void byDefaultOnlyTheSafeBaseAndTheChildsOwnVariables(String kind) throws Exception {
        Map<String, String> env = childEnv(kind, EnvInheritance.safeBase());

        assertEquals(Set.of("PATH", "HOME", "LC_TIME", "SR_SESSION_ID", "FROM_SESSION_ENV"),
                withoutShellNoise(env).keySet());
        assertFalse(env.containsValue(SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"posix_spawn", "jdk"})
    void aSecretReachesTheChildOnlyWhenNamed(String kind) throws Exception {
        Map<String, String> env = childEnv(kind, EnvInheritance.safeBase().with(false, List.of("SR_TEST_SECRET")));

        assertEquals(SECRET, env.get("SR_TEST_SECRET"));
        assertNull(env.get("SR_TEST_SECRET_ALIAS"), "the same value under another name is still withheld");
        assertNull(env.get("OTHER_VAR"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"posix_spawn", "jdk"})
    void inheritAllStillWithholdsConfigSecrets(String kind) throws Exception {
        Map<String, String> env = childEnv(kind, EnvInheritance.safeBase().with(true, List.of()));

        assertEquals("other", env.get("OTHER_VAR"));
        assertEquals(":9", env.get("DISPLAY"));
        assertFalse(env.containsValue(SECRET), env.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"posix_spawn", "jdk"})
    void aBrowserAlsoGetsTheDisplay(String kind) throws Exception {
        Map<String, String> env = childEnv(kind, EnvInheritance.browser());

        assertEquals(":9", env.get("DISPLAY"));
        assertNull(env.get("OTHER_VAR"));
        assertFalse(env.containsValue(SECRET));
    }

    /** /usr/bin/env is exec'd directly: no shell adds PWD or SHLVL, but keep the check honest if one did. */
    private static Map<String, String> withoutShellNoise(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        copy.keySet().removeAll(Set.of("PWD", "SHLVL", "_"));
        return copy;
    }


    @Test
    void anEnvInheritanceIsEqualExactlyWhenEveryComponentIs() throws Exception {
        RecordEquality.check(EnvInheritance.class);
    }
}
