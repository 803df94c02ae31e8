package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.BrowserSettings.Provider;
import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Wrong types, out-of-range numbers and enum values. */
class ConfigValueTest extends ConfigTestSupport {

    @Test
    void rejectsStringWhereNumber() {
        assertEquals("$.recovery.maxErrorStreak: \"3\" is a string, expected an integer from 0 to 1000",
                rejects("{'recovery': {'maxErrorStreak': '3'}}"));
    }

    @Test
    void rejectsNumberWhereArray() {
        assertEquals("$.session.command: 5 is a number, expected an array of strings: the program and its arguments",
                rejects("{'session': {'command': 5}}"));
    }

    @Test
    void rejectsFloatWhereInteger() {
        assertEquals("$.runner.globalConcurrency: 2.5 is a decimal number, expected an integer from 1 to 10000",
                rejects("{'runner': {'globalConcurrency': 2.5}}"));
    }

    @Test
    void rejectsBooleanWhereNumber() {
        assertEquals("$.http.port: true is a boolean, expected an integer from 0 to 65535",
                rejects("{'http': {'port': true}}"));
    }

    @Test
    void rejectsObjectWhereString() {
        assertEquals("$.runner.dataDir: {} is an object, expected a string", rejects("{'runner': {'dataDir': {}}}"));
    }

    @Test
    void rejectsArrayWhereObject() {
        assertEquals("$.recovery: [] is an array, expected an object", rejects("{'recovery': []}"));
    }

    @Test
    void rejectsIntegerBeyondLong() {
        assertEquals("$.session.timeoutMs: 99999999999999999999 is out of range, "
                        + "expected milliseconds from 1 to 2592000000 (30 days)",
                rejects("{'session': {'timeoutMs': 99999999999999999999}}"));
    }

    @Test
    void rejectsEmptyPath() {
        assertEquals("$.runner.eventLog: \"\" is empty, expected a file-system path",
                rejects("{'runner': {'eventLog': ''}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "session   | timeoutMs               | -1          | -1 is negative",
        "session   | timeoutMs               | 0           | 0 is not allowed",
        "session   | timeoutMs               | 2592000001  | 2592000001 is too large",
        "session   | idleTimeoutMs           | -5          | -5 is negative",
        "session   | idleTimeoutMs           | 2592000001  | 2592000001 is too large",
        "session   | cooldownMs              | 604800001   | 604800001 is too large",
        "session   | stopGraceMs             | 600001      | 600001 is too large",
        "recovery  | retryBackoffMs          | -1          | -1 is negative",
        "recovery  | retryBackoffMs          | 86400001    | 86400001 is too large",
        "recovery  | pauseDurationMs         | 0           | 0 is not allowed",
        "recovery  | pauseDurationMs         | 31536000001 | 31536000001 is too large",
        "recovery  | maxPauseDurationMs      | 0           | 0 is not allowed",
        "recovery  | stepTimeoutMs           | 0           | 0 is not allowed",
        "recovery  | stepTimeoutMs           | 86400001    | 86400001 is too large",
        "runner    | eventLogFsyncIntervalMs | 0           | 0 is not allowed",
        "runner    | eventLogFsyncIntervalMs | 60001       | 60001 is too large",
        "runner    | startJitterMs           | 3600001     | 3600001 is too large",
    })
    void rejectsDurationOutOfRange(String block, String key, String value, String problem) {
        String message = rejects("{'" + block + "': {'" + key + "': " + value + "}}");

        assertEquals("$." + block + "." + key + ": " + problem + ", expected milliseconds from ", message.substring(0,
                message.indexOf("from ") + 5));
    }

    @Test
    void describesDurationBoundsInHumanUnits() {
        assertEquals("$.session.stopGraceMs: 600001 is too large, expected milliseconds from 0 to 600000 (10 min)",
                rejects("{'session': {'stopGraceMs': 600001}}"));
    }

    @Test
    void rejectsMaxPauseShorterThanPause() {
        assertEquals("$.recovery.maxPauseDurationMs: 3600000 is less than pauseDurationMs (86400000), "
                        + "expected a cap >= pauseDurationMs",
                rejects("{'recovery': {'maxPauseDurationMs': 3600000}}"));
    }

    @Test
    void defaultsMaxPauseToPauseWhenPauseExceedsSevenDays() {
        RecoverySettings recovery = load("{'recovery': {'pauseDurationMs': 1209600000}}").recovery();

        assertEquals(1_209_600_000L, recovery.maxPauseDurationMs());
    }

    @Test
    void acceptsDurationBoundaries() {
        RunnerConfig config = load("{'session': {'timeoutMs': 2592000000, 'idleTimeoutMs': 0, 'cooldownMs': 604800000,"
                + " 'stopGraceMs': 0}, 'runner': {'eventLogFsyncIntervalMs': 60000, 'startJitterMs': 0},"
                + " 'recovery': {'retryBackoffMs': 86400000, 'pauseDurationMs': 31536000000,"
                + " 'maxPauseDurationMs': 31536000000, 'stepTimeoutMs': 1}}");

        assertEquals(2_592_000_000L, config.session().timeoutMs());
        assertEquals(0, config.session().stopGraceMs());
        assertEquals(31_536_000_000L, config.recovery().maxPauseDurationMs());
        assertEquals(60_000, config.runner().eventLogFsyncIntervalMs());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'runner': {'globalConcurrency': 0}}                       | $.runner.globalConcurrency",
        "{'runner': {'globalConcurrency': 10001}}                   | $.runner.globalConcurrency",
        "{'pods': [{'name': 'p', 'concurrency': 0}]}                | $.pods[0].concurrency",
        "{'pods': [{'name': 'p', 'concurrency': 10001}]}            | $.pods[0].concurrency",
        "{'recovery': {'maxRecoverySteps': 101}}                    | $.recovery.maxRecoverySteps",
        "{'recovery': {'maxRecoverySteps': -1}}                     | $.recovery.maxRecoverySteps",
        "{'recovery': {'maxErrorStreak': 1001}}                     | $.recovery.maxErrorStreak",
        "{'recovery': {'concurrency': 0}}                           | $.recovery.concurrency",
        "{'recovery': {'concurrency': 1001}}                        | $.recovery.concurrency",
        "{'recovery': {'pauseBackoffMultiplier': 0.5}}              | $.recovery.pauseBackoffMultiplier",
        "{'recovery': {'pauseBackoffMultiplier': 100.5}}            | $.recovery.pauseBackoffMultiplier",
        "{'session': {'logMaxBytes': 1023}}                         | $.session.logMaxBytes",
        "{'session': {'logMaxBytes': 1099511627777}}                | $.session.logMaxBytes",
        "{'session': {'logKeepFiles': 101}}                         | $.session.logKeepFiles",
        "{'session': {'stderrTailBytes': 1048577}}                  | $.session.stderrTailBytes",
        "{'http': {'port': 65536}}                                  | $.http.port",
        "{'http': {'port': -1}}                                     | $.http.port",
    })
    void rejectsCountOutOfRange(String json, String path) {
        String message = rejects(json);

        assertEquals(path + ": ", message.substring(0, path.length() + 2));
        assertContains(", expected ", message);
    }

    @Test
    void describesByteBoundsInHumanUnits() {
        assertEquals("$.session.logMaxBytes: 1023 is too small, "
                        + "expected a size in bytes from 1024 (1 KiB) to 1099511627776 (1 TiB)",
                rejects("{'session': {'logMaxBytes': 1023}}"));
    }

    @Test
    void acceptsCountBoundaries() {
        RunnerConfig config = load("{'runner': {'globalConcurrency': 10000}, 'http': {'port': 0},"
                + " 'session': {'logMaxBytes': 1024, 'logKeepFiles': 0, 'stderrTailBytes': 1048576},"
                + " 'recovery': {'maxRecoverySteps': 0, 'maxErrorStreak': 0, 'concurrency': 1000,"
                + " 'pauseBackoffMultiplier': 100}}");

        assertEquals(10_000, config.runner().globalConcurrency());
        assertEquals(0, config.http().port());
        assertEquals(1024, config.session().logMaxBytes());
        assertEquals(100.0, config.recovery().pauseBackoffMultiplier());
        assertEquals(0, config.recovery().maxErrorStreak());
    }

    @Test
    void acceptsEnumsInAnyCase() {
        RunnerConfig config = load("{'runner': {'eventLogFsync': 'ALWAYS', 'sqliteSynchronous': 'Full'},"
                + " 'browser': {'provider': 'AdsPower'}}");

        assertEquals(FsyncPolicy.ALWAYS, config.runner().eventLogFsync());
        assertEquals(SqliteSynchronous.FULL, config.runner().sqliteSynchronous());
        assertEquals(Provider.ADSPOWER, config.browser().provider());
    }

    @Test
    void rejectsUnknownEnumValueWithSuggestion() {
        assertEquals("$.browser.provider: \"chromim\" is not a known value (did you mean \"chromium\"?), "
                        + "expected one of \"chromium\", \"adspower\", \"none\"",
                rejects("{'browser': {'provider': 'chromim'}}"));
    }

    @Test
    void rejectsUnknownEnumValueWithoutSuggestion() {
        assertEquals("$.runner.eventLogFsync: \"sometimes\" is not a known value, "
                        + "expected one of \"always\", \"interval\", \"never\"",
                rejects("{'runner': {'eventLogFsync': 'sometimes'}}"));
    }

    @Test
    void rejectsNumberWhereEnum() {
        assertEquals("$.runner.sqliteSynchronous: 2 is a number, expected one of \"off\", \"normal\", \"full\", \"extra\"",
                rejects("{'runner': {'sqliteSynchronous': 2}}"));
    }

    @Test
    void rejectsEmptyHttpToken() {
        assertEquals("$.http.token: the token is empty, expected a bearer token of at least 16 characters,"
                + " e.g. \"${env:SR_TOKEN}\"", rejects("{'http': {'token': ''}}"));
    }

    @Test
    void rejectsAnHttpTokenShorterThanSixteenCharactersWithoutShowingIt() {
        String message = rejects("{'http': {'token': '${env:SR_TOKEN}'}}", java.util.Map.of("SR_TOKEN", "ab"));
        assertEquals("$.http.token: the token has 2 characters, expected a bearer token of at least 16 characters,"
                + " e.g. \"${env:SR_TOKEN}\"", message);
    }

    @Test
    void shortensLongValuesInMessages() {
        String message = rejects("{'runner': {'globalConcurrency': '" + "x".repeat(500) + "'}}");

        assertTrue(message.length() < 200, message);
        assertContains("xxx... is a string, expected an integer", message);
    }

    @Test
    void rejectsBlankBindAddress() {
        assertContains("$.http.bind: \" \" is empty, expected an IP address to listen on, such as \"127.0.0.1\"",
                rejects("{'http': {'bind': ' '}}"));
    }
}
