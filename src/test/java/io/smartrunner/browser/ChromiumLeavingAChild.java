package io.smartrunner.browser;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

/**
 * A "Chromium" that first starts a child that outlives the browser's main process (a process that
 * left the browser's group and session, as Chromium's crash handler does; its pid in
 * {@code pidFile}), then execs the real one; and a provider that launches it.
 */
final class ChromiumLeavingAChild {
    private ChromiumLeavingAChild() {
    }

    /** A Chromium provider under {@code dir} whose browser is the wrapper; the child's pid goes to {@code pidFile}. */
    static ChromiumProvider provider(Path dir, Path pidFile) throws IOException {
        Path wrapper = Files.writeString(dir.resolve("chromium-leaving-a-child"), """
                #!/bin/sh
                setsid sh -c 'echo $$ > "%s"; exec sleep 600' </dev/null >/dev/null 2>&1 &
                exec %s "$@"
                """.formatted(pidFile, ChromiumBinary.find(null)));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        BrowserSettings d = BrowserSettings.defaults();
        return new ChromiumProvider(new BrowserSettings(BrowserSettings.Provider.CHROMIUM,
                new BrowserSettings.Chromium(wrapper, true, List.of()), d.adspower(), true, true, 30_000),
                dir.resolve("browsers"), dir.resolve("logs"), PosixSpawnLauncher.best(), new ProcFsProcessTable(),
                "test-" + UUID.randomUUID());
    }
}
