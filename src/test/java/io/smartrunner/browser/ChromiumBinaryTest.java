package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding Chromium, and the one line a machine without it gets. */
class ChromiumBinaryTest {
    @TempDir
    Path dir;

    private Path executable(String name) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void takesTheFirstCandidateThatIsInstalled() throws IOException {
        Path installed = executable("chrome");

        assertEquals(installed, ChromiumBinary.find(null, List.of(dir.resolve("chromium"), installed)));
    }

    @Test
    void noChromiumAnywhereSaysHowToInstallItOrSwitchProviderInOneLine() {
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> ChromiumBinary.find(null, List.of(dir.resolve("chromium"))));

        assertTrue(e.getMessage().contains("bin/setup") && e.getMessage().contains("apt-get install chromium"),
                e.getMessage());
        assertTrue(e.getMessage().contains("browser.provider to \"none\""), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void configuredBinaryWinsAndMustBeExecutable() throws IOException {
        Path mine = executable("my-chromium");

        assertEquals(mine, ChromiumBinary.find(mine, List.of()));
        String refused = assertThrows(SmartRunnerException.class, () -> ChromiumBinary.find(dir.resolve("nope"),
                List.of())).getMessage();
        assertTrue(refused.contains("browser.chromium.binary: " + dir.resolve("nope")), refused);
        assertTrue(refused.contains("bin/setup") && refused.contains("browser.provider to \"none\""),
                "the README's promise holds for a configured path too: " + refused);
        String aDirectory = assertThrows(SmartRunnerException.class, () -> ChromiumBinary.find(dir, List.of())).getMessage();
        assertTrue(aDirectory.contains("browser.chromium.binary: " + dir + " is not an executable file"),
                "a directory is executable to Files.isExecutable, not to exec: " + aDirectory);
    }
}
