package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code runner.minFreeMemoryMb} and {@code runner.maxLoadPerCore} as read from a file. */
class ConfigAdmissionTest extends ConfigTestSupport {
    @Test
    void memoryFloorIsOnAndLoadLimitOffByDefault() {
        RunnerSettings r = load("{}").runner();
        assertEquals(256, r.minFreeMemoryMb());
        assertEquals(0.0, r.maxLoadPerCore());
    }

    @Test
    void readsBothAndZeroTurnsTheFloorOff() {
        RunnerSettings r = load("{'runner': {'minFreeMemoryMb': 0, 'maxLoadPerCore': 1.5}}").runner();
        assertEquals(0, r.minFreeMemoryMb());
        assertEquals(1.5, r.maxLoadPerCore());
    }

    @Test
    void rejectsOutOfRangeValuesWithThePathAndTheRange() {
        assertEquals("$.runner.minFreeMemoryMb: -1 is negative, expected an integer from 0 to 1048576",
                rejects("{'runner': {'minFreeMemoryMb': -1}}"));
        assertEquals("$.runner.maxLoadPerCore: -0.5 is too small, expected a number from 0.0 to 1000.0",
                rejects("{'runner': {'maxLoadPerCore': -0.5}}"));
        assertEquals("$.runner.maxLoadPerCore: \"high\" is a string, expected a number from 0.0 to 1000.0",
                rejects("{'runner': {'maxLoadPerCore': 'high'}}"));
    }
}
