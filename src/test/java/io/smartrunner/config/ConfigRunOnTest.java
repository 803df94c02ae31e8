package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code runOn} on pods and profiles: placement by runner labels (docs/cluster-placement.md). */
class ConfigRunOnTest extends ConfigTestSupport {
    @Test
    void absentMeansAnyRunner() {
        ProfileConfig p = load("{'pods': [{'name': 'p', 'profiles': [{'id': 'a'}]}]}").profiles().get(0);
        assertEquals(List.of(), p.runOn());
        assertTrue(p.runsOn(List.of()));
        assertTrue(p.runsOn(List.of("eu")));
    }

    @Test
    void theProfileWinsOverThePodDefault() {
        List<ProfileConfig> profiles = load("{'pods': [{'name': 'p', 'runOn': ['adspower', 'adspower'],"
                + " 'profiles': [{'id': 'a'}, {'id': 'b', 'runOn': ['eu-1', 'eu-2']}]}]}").profiles();
        assertEquals(List.of("adspower"), profiles.get(0).runOn());
        assertEquals(List.of("eu-1", "eu-2"), profiles.get(1).runOn());
    }

    @Test
    void aRunnerNeedsOneOfTheLabels() {
        ProfileConfig p = load("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'runOn': ['x', 'y']}]}]}")
                .profiles().get(0);
        assertTrue(p.runsOn(List.of("y", "z")));
        assertFalse(p.runsOn(List.of("z")));
        assertFalse(p.runsOn(List.of()));
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheField() {
        String expected = "expected 1-64 characters of A-Z a-z 0-9 . _ : -";
        assertContains("$.pods[0].profiles[0].runOn[1]: \"gpu/1\" is not a valid name, " + expected,
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'runOn': ['eu', 'gpu/1']}]}]}"));
        assertContains("$.pods[0].runOn: [] names no label, expected at least one runner label",
                rejects("{'pods': [{'name': 'p', 'runOn': [], 'profiles': []}]}"));
        assertContains("$.pods[0].profiles[0].runOn: ",
                rejects("{'pods': [{'name': 'p', 'profiles': [{'id': 'a', 'runOn': 'eu'}]}]}"));
        String multi = rejects("{'pods': [{'name': 'p', 'runOn': ['a\\nb'], 'profiles': []}]}");
        assertFalse(multi.contains("\n"), multi);
    }
}
