package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.BrowserSettings.Recycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code browser.recycle}: off by default, each limit bound and refused in one line when out of range. */
class ConfigBrowserRecycleTest extends ConfigTestSupport {

    @Test
    void offByDefault() {
        assertEquals(Recycle.OFF, load("{}").browser().recycle());
        assertEquals(Recycle.OFF, load("{'browser': {'recycle': {}}}").browser().recycle());
    }

    @Test
    void loadsEveryLimit() {
        assertEquals(new Recycle(100, 7_200_000, 800), load("{'browser': {'recycle': {'afterSessions': 100,"
                + " 'afterMs': 7200000, 'maxRssMb': 800}}}").browser().recycle());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "afterSessions | -1          | -1 is negative, expected an integer from 0 to 1000000",
        "afterSessions | 1000001     | 1000001 is too large, expected an integer from 0 to 1000000",
        "afterMs       | -5          | -5 is negative, expected milliseconds from 0 to 31536000000 (365 days)",
        "maxRssMb      | 2000000     | 2000000 is too large, expected an integer from 0 to 1048576",
        "afterSessions | \"x\"         | \"x\" is a string, expected an integer from 0 to 1000000",
    })
    void rejectsOutOfRange(String key, String value, String problem) {
        assertEquals("$.browser.recycle." + key + ": " + problem,
                rejects("{'browser': {'recycle': {'" + key + "': " + value + "}}}"));
    }

    @Test
    void rejectsUnknownKey() {
        assertEquals("$.browser.recycle.afterSession: unknown key, did you mean \"afterSessions\"?",
                rejects("{'browser': {'recycle': {'afterSession': 3}}}"));
    }

    @Test
    void maxRssIsRefusedWithAdsPowerWhoseProcessesAreNotTheRunners() {
        assertEquals("$.browser.recycle.maxRssMb: maxRssMb is 800 but AdsPower's browser processes are not the "
                        + "runner's to measure, expected 0 (off) with browser.provider adspower, or afterSessions/afterMs",
                rejects("{'browser': {'provider': 'adspower', 'recycle': {'maxRssMb': 800}}}"));
        assertEquals(new Recycle(5, 0, 0), load("{'browser': {'provider': 'adspower', 'recycle': {'afterSessions': 5}}}")
                .browser().recycle());
    }
}
