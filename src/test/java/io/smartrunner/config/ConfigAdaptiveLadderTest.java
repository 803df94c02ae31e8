package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.RecoverySettings.AdaptiveSettings;
import io.smartrunner.config.RecoverySettings.Strategy;
import org.junit.jupiter.api.Test;

/** recovery.strategy and recovery.adaptive (#12.3). */
class ConfigAdaptiveLadderTest extends ConfigTestSupport {
    @Test
    void defaultsToTheFixedLadderWithDocumentedTuning() {
        RecoverySettings r = load("{}").recovery();

        assertEquals(Strategy.FIXED, r.strategy());
        assertEquals(new AdaptiveSettings(0.6, 0.1, 0.9), r.adaptive());
    }

    @Test
    void bindsTheAdaptiveStrategyAndItsTuning() {
        RecoverySettings r = load("{'recovery': {'strategy': 'adaptive', 'adaptive': {'minSuccess': 0.8,"
                + " 'explore': 0, 'decay': 0.5}}}").recovery();

        assertEquals(Strategy.ADAPTIVE, r.strategy());
        assertEquals(new AdaptiveSettings(0.8, 0.0, 0.5), r.adaptive());
    }

    @Test
    void partialTuningKeepsTheOtherDefaults() {
        assertEquals(new AdaptiveSettings(0.6, 0.25, 0.9),
                load("{'recovery': {'adaptive': {'explore': 0.25}}}").recovery().adaptive());
    }

    @Test
    void rejectsAnUnknownStrategyNamingTheChoices() {
        assertEquals("$.recovery.strategy: \"adaptiv\" is not a known value (did you mean \"adaptive\"?), expected"
                + " one of \"fixed\", \"adaptive\"", rejects("{'recovery': {'strategy': 'adaptiv'}}"));
    }

    @Test
    void rejectsOutOfRangeTuning() {
        assertEquals("$.recovery.adaptive.minSuccess: 1.5 is too large, expected a number from 0.0 to 1.0",
                rejects("{'recovery': {'adaptive': {'minSuccess': 1.5}}}"));
        assertEquals("$.recovery.adaptive.explore: -0.1 is too small, expected a number from 0.0 to 1.0",
                rejects("{'recovery': {'adaptive': {'explore': -0.1}}}"));
        assertEquals("$.recovery.adaptive.decay: 1 is too large, expected a number from 0.0 to 0.999",
                rejects("{'recovery': {'adaptive': {'decay': 1}}}"));
    }

    @Test
    void rejectsAnUnknownTuningKey() {
        assertEquals("$.recovery.adaptive.minSucess: unknown key, did you mean \"minSuccess\"?",
                rejects("{'recovery': {'adaptive': {'minSucess': 0.5}}}"));
    }

    @Test
    void rejectsATuningBlockThatIsNotAnObject() {
        assertEquals("$.recovery.adaptive: 0.5 is a number, expected an object",
                rejects("{'recovery': {'adaptive': 0.5}}"));
    }
}
