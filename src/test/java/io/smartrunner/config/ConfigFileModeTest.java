package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code runner.fileMode}: the mode of the files the runner creates. */
class ConfigFileModeTest extends ConfigTestSupport {

    @Test
    void defaultsToOwnerOnly() {
        assertEquals(0600, load("{}").runner().fileMode());
    }

    @ParameterizedTest
    @CsvSource({"0600, 384", "0640, 416", "644, 420", "0604, 388", "0660, 432"})
    void acceptsOctalModes(String text, int mode) {
        assertEquals(mode, load("{'runner': {'fileMode': '" + text + "'}}").runner().fileMode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0700", "0755", "0601"})
    void rejectsExecuteBits(String text) {
        assertEquals("$.runner.fileMode: \"" + text + "\" has execute bits, expected " + FileModeValue.EXPECTED,
                rejects("{'runner': {'fileMode': '" + text + "'}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0400", "0200", "0044"})
    void rejectsModesTheRunnerCouldNotUseItself(String text) {
        assertEquals("$.runner.fileMode: \"" + text + "\" lacks rw for the owner, expected " + FileModeValue.EXPECTED,
                rejects("{'runner': {'fileMode': '" + text + "'}}"));
    }

    /** Reviewer R6: with 0666 another local user could forge the runner's events or swap its files for symlinks. */
    @ParameterizedTest
    @ValueSource(strings = {"0666", "0602", "0622"})
    void rejectsWriteForOthers(String text) {
        assertEquals("$.runner.fileMode: \"" + text + "\" lets others write, expected " + FileModeValue.EXPECTED,
                rejects("{'runner': {'fileMode': '" + text + "'}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "0o600", "600 ", "06000", "", "0800"})
    void rejectsWhatIsNotAnOctalMode(String text) {
        assertContains("$.runner.fileMode: \"" + text + "\" is not an octal file mode, expected an octal file mode",
                rejects("{'runner': {'fileMode': '" + text + "'}}"));
    }

    @Test
    void rejectsANumberSayingToQuoteIt() {
        assertContains("$.runner.fileMode: 600 is a number, expected an octal file mode",
                rejects("{'runner': {'fileMode': 600}}"));
    }
}
