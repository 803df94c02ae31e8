package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code recovery.pauseJitter} and the pause back-off keys as read from a file. */
class ConfigPauseJitterTest extends ConfigTestSupport {
    @Test
    void defaultsToTenPercentAndReadsTheBackOffKeys() {
        RecoverySettings d = load("{}").recovery();
        assertEquals(0.1, d.pauseJitter());
        RecoverySettings r = load("{'recovery': {'pauseJitter': 0, 'pauseBackoffMultiplier': 2,"
                + " 'maxPauseDurationMs': 259200000}}").recovery();
        assertEquals(0.0, r.pauseJitter());
        assertEquals(2.0, r.pauseBackoffMultiplier());
        assertEquals(259_200_000L, r.maxPauseDurationMs());
    }

    @Test
    void rejectsAJitterOutsideZeroToAHalfWithThePathAndTheRange() {
        assertEquals("$.recovery.pauseJitter: 0.6 is too large, expected a number from 0.0 to 0.5",
                rejects("{'recovery': {'pauseJitter': 0.6}}"));
        assertEquals("$.recovery.pauseJitter: -0.1 is too small, expected a number from 0.0 to 0.5",
                rejects("{'recovery': {'pauseJitter': -0.1}}"));
    }
}
