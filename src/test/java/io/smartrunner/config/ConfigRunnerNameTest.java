package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smartrunner.store.RunnerName;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code runner.name} and {@code runner.labels} (cluster membership). */
class ConfigRunnerNameTest extends ConfigTestSupport {
    @Test
    void theNameDefaultsToTheHostNameAndThereAreNoLabels() {
        RunnerSettings runner = load("{}").runner();
        assertEquals(RunnerName.hostName(), runner.name());
        assertEquals(List.of(), runner.labels());
    }

    @Test
    void readsNameAndLabelsDroppingRepeatedLabels() {
        RunnerSettings runner = load("{'runner': {'name': 'eu-1.fra:a_b-2', 'labels': ['adspower', 'eu', 'adspower']}}")
                .runner();
        assertEquals("eu-1.fra:a_b-2", runner.name());
        assertEquals(List.of("adspower", "eu"), runner.labels());
    }

    @Test
    void badNamesAndLabelsAreOneLineErrorsNamingThePath() {
        String expected = "expected 1-64 characters of A-Z a-z 0-9 . _ : -";
        assertContains("$.runner.name: \"\" is empty, " + expected, rejects("{'runner': {'name': ''}}"));
        assertContains("$.runner.name: \"eu 1\" is not a valid name, " + expected, rejects("{'runner': {'name': 'eu 1'}}"));
        assertContains("$.runner.name: \"" + "a".repeat(65) + "\" is not a valid name",
                rejects("{'runner': {'name': '" + "a".repeat(65) + "'}}"));
        assertContains("$.runner.name: ", rejects("{'runner': {'name': 7}}"));
        assertContains("$.runner.labels[1]: \"gpu/1\" is not a valid name, " + expected,
                rejects("{'runner': {'labels': ['eu', 'gpu/1']}}"));
        assertContains("$.runner.labels: ", rejects("{'runner': {'labels': 'eu'}}"));
        String multi = rejects("{'runner': {'name': 'x\\ny'}}");
        assertFalse(multi.contains("\n"), multi);
    }
}
