package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.RunnerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What runners compare of their configs, and how they say where two disagree. */
class FleetConfigShapeTest {
    @TempDir
    Path dir;

    private RunnerConfig load(String command, String pods, Map<String, String> env, boolean inspect) throws Exception {
        Path file = Files.writeString(dir.resolve("fleet-" + System.nanoTime() + ".json"), """
                {"browser": {"provider": "none"}, "session": {"command": %s,
                 "env": {"HOME_HINT": "%s", "DB_PASSWORD": "${env:PGPASS}"}},
                 "pods": %s}""".formatted(command, dir.resolve("h" + System.nanoTime()), pods));
        return inspect ? ConfigLoader.loadToInspect(file, env) : ConfigLoader.load(file, env);
    }

    private static final String PODS = """
            [{"name": "podA", "concurrency": 2, "profiles": [{"id": "p1"}, {"id": "p2", "runOn": ["eu", "de"]}]}]""";
    private static final String SECRET_COMMAND = "[\"/bin/sh\", \"-c\", \"true\", \"--token=${env:TOKEN}\"]";

    @Test
    void aSecretDoesNotChangeTheShapeNorReachItAndNeitherDoesAMachinesOwnEnvironment() throws Exception {
        FleetConfigShape one = FleetConfigShape.of(load(SECRET_COMMAND, PODS,
                Map.of("TOKEN", "first-secret-1", "PGPASS", "pw-one"), false));
        // another machine's secrets, one of them a word of the command (reviewer R3: masking the values
        // masked "true" inside the command, and every profile was reported with another command)
        FleetConfigShape other = FleetConfigShape.of(load(SECRET_COMMAND, PODS,
                Map.of("TOKEN", "second-secret-2", "PGPASS", "true"), false));
        // a command that only looks keeps the unset placeholder as written
        FleetConfigShape looking = FleetConfigShape.of(load(SECRET_COMMAND, PODS, Map.of(), true));

        assertEquals(one, other);
        assertEquals(one.digest(), other.digest());
        assertEquals(one.digest(), looking.digest());
        assertFalse(one.toJson().contains("first-secret-1"), one.toJson());
        assertEquals(List.of("de", "eu"), one.profiles().get("p2").runOn(), "labels sorted: their order means nothing");
        assertEquals(one, FleetConfigShape.fromJson(one.toJson()));
    }

    @Test
    void aCommandAConcurrencyOrAPodThatDiffersChangesTheDigestAndIsSaid() throws Exception {
        Map<String, String> env = Map.of("PGPASS", "pw");
        FleetConfigShape a = FleetConfigShape.of(load("[\"/bin/true\"]", PODS, env, false));
        FleetConfigShape b = FleetConfigShape.of(load("[\"/bin/true\", \"-v\"]", PODS.replace("\"concurrency\": 2",
                "\"concurrency\": 4").replace("[\"eu\", \"de\"]", "[\"eu\"]"), env, false));
        FleetConfigShape c = FleetConfigShape.of(load("[\"/bin/true\"]", """
                [{"name": "podA", "concurrency": 2, "profiles": [{"id": "p2", "runOn": ["eu", "de"]}]},
                 {"name": "podZ", "profiles": [{"id": "p1"}, {"id": "z9"}]}]""", env, false));

        assertNotEquals(a.digest(), b.digest());
        assertEquals(List.of("pod podA has concurrency 2 on alpha, 4 on beta (its slots are the fleet's)",
                "2 profile(s) with another session command: p1, p2",
                "1 profile(s) with other runOn labels: p2 ([de, eu] on alpha, [eu] on beta)"),
                FleetConfigDiff.between(a, "alpha", b, "beta"));
        assertEquals(List.of("1 profile(s) in another pod: p1 (podA on alpha, podZ on gamma)"),
                FleetConfigDiff.between(a, "alpha", c, "gamma"), "a pod or profile only one lists is no disagreement");
    }

    @Test
    void manyProfilesAreCountedNotAllNamed() {
        Map<String, FleetConfigShape.ProfileShape> one = new java.util.TreeMap<>();
        Map<String, FleetConfigShape.ProfileShape> two = new java.util.TreeMap<>();
        for (int i = 0; i < 8; i++) {
            one.put("p" + i, new FleetConfigShape.ProfileShape("podA", "c1", List.of()));
            two.put("p" + i, new FleetConfigShape.ProfileShape("podA", "c2", List.of()));
        }
        assertEquals(List.of("8 profile(s) with another session command: p0, p1, p2, p3, p4 and 3 more"),
                FleetConfigDiff.between(new FleetConfigShape(Map.of("podA", 1), one), "a",
                        new FleetConfigShape(Map.of("podA", 1), two), "b"));
    }

    @Test
    void aShapeFromAnotherVersionIsNotReadAsOne() {
        assertNull(FleetConfigShape.fromJson("{\"something\": 1}"));
        assertNull(FleetConfigShape.fromJson("not json"));
        assertNull(FleetConfigShape.fromJson(null));
    }
}
