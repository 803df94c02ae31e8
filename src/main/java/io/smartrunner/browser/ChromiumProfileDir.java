package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A profile's Chromium user-data-dir: made ready for a start, and freed of what a killed browser leaves. */
final class ChromiumProfileDir {
    private static final List<String> LOCKS = List.of("SingletonLock", "SingletonSocket", "SingletonCookie");

    private ChromiumProfileDir() {
    }

    /** Creates it and removes the last start's DevToolsActivePort and locks. */
    static void prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("DevToolsActivePort"));
            clearLocks(dir);
        } catch (IOException e) {
            throw new SmartRunnerException(dir + ": cannot prepare the browser profile: " + e.getMessage(), e);
        }
    }

    /** After a kill -9, Chromium's singleton files would make the next start hand over to a dead process. */
    static void clearLocks(Path dir) {
        removeSocketDir(dir.resolve("SingletonSocket"));
        for (String name : LOCKS) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException ignored) {
                // a leftover lock only costs Chromium a warning
            }
        }
    }

    /** SingletonSocket links into a /tmp/org.chromium.Chromium.* dir that a killed browser leaves behind. */
    private static void removeSocketDir(Path link) {
        try {
            if (!Files.isSymbolicLink(link)) {
                return;
            }
            Path socketDir = Files.readSymbolicLink(link).getParent();
            if (socketDir != null && socketDir.getFileName().toString().startsWith("org.chromium.Chromium.")) {
                try (var files = Files.list(socketDir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(socketDir);
            }
        } catch (IOException ignored) {
            // only a few bytes in /tmp
        }
    }
}
