package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConfigEventLogRotationTest extends ConfigTestSupport {
    @Test
    void defaultsAre100MiBAndTenFiles() {
        RunnerSettings r = load("{}").runner();
        assertEquals(100L << 20, r.eventLogMaxBytes());
        assertEquals(10, r.eventLogKeep());
    }

    @Test
    void zeroTurnsRotationOffAndSizesAreBound() {
        RunnerSettings r = load("{'runner': {'eventLogMaxBytes': 0, 'eventLogKeep': 3}}").runner();
        assertEquals(0, r.eventLogMaxBytes());
        assertEquals(3, r.eventLogKeep());
        assertEquals("$.runner.eventLogMaxBytes: 100 is too small, expected 0 (no rotation) or a size in bytes from "
                + "1024 (1 KiB) to 1099511627776 (1 TiB)", rejects("{'runner': {'eventLogMaxBytes': 100}}"));
        assertEquals("$.runner.eventLogKeep: 0 is not allowed, expected an integer from 1 to 1000",
                rejects("{'runner': {'eventLogKeep': 0}}"));
        assertEquals("$.runner.eventLogMaxBytes: -1 is negative, expected a size in bytes from 0 to 1099511627776 (1 TiB)",
                rejects("{'runner': {'eventLogMaxBytes': -1}}"));
    }
}
