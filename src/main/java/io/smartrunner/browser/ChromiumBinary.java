package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the real Chromium binary (not Debian's /usr/bin/chromium wrapper script). */
final class ChromiumBinary {
    /** Where Debian's chromium package (what bin/setup installs), Ubuntu's and Google's put it. */
    static final List<Path> CANDIDATES = List.of(Path.of("/usr/lib/chromium/chromium"),
            Path.of("/usr/lib/chromium-browser/chromium-browser"), Path.of("/opt/google/chrome/chrome"));

    private ChromiumBinary() {
    }

    static Path find(Path configured) {
        return find(configured, CANDIDATES);
    }

    /** @throws SmartRunnerException one line saying how to install Chromium or switch provider */
    static Path find(Path configured, List<Path> candidates) {
        if (configured != null) {
            if (runs(configured)) {
                return configured;
            }
            throw new SmartRunnerException(notExecutable(configured));
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new SmartRunnerException(
                "browser.provider \"chromium\" (the default provider) needs Chromium, but none was found (looked at "
                        + candidates + "): install it with bin/setup (apt-get install chromium), set browser.chromium.binary,"
                        + " or set browser.provider to \"none\" (e.g. -c config/no-browser.json)"));
    }

    /** An executable file: a directory passes Files.isExecutable (its search bit), and Chromium's start then failed. */
    static boolean runs(Path binary) {
        return Files.isRegularFile(binary) && Files.isExecutable(binary);
    }

    /** What a configured binary that cannot run is told: its key, its value, and the ways out. */
    static String notExecutable(Path configured) {
        return "browser.chromium.binary: " + configured + " is not an executable file; install Chromium (bin/setup, or"
                + " apt-get install chromium), fix the path, or set browser.provider to \"none\"";
    }
}
