package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the real Chromium binary (not Debian's /usr/bin/chromium wrapper script). */
final class ChromiumBinary {
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/lib/chromium/chromium"),
            Path.of("/usr/lib/chromium-browser/chromium-browser"), Path.of("/opt/google/chrome/chrome"));

    private ChromiumBinary() {
    }

    static Path find(Path configured) {
        if (configured != null) {
            if (Files.isExecutable(configured)) {
                return configured;
            }
            throw new SmartRunnerException("browser.chromium.binary: " + configured
                    + " is not an executable file; install Chromium (apt-get install chromium) or fix the path");
        }
        return CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new SmartRunnerException(
                "browser.provider is chromium but no Chromium was found (looked at " + CANDIDATES
                        + "): install it with 'apt-get install chromium', set browser.chromium.binary,"
                        + " or set browser.provider to \"none\""));
    }
}
