package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls for one profile's browser made from several threads at once run one after the other,
 * against a real headless Chromium. Regressions: closeOnPause and the runner's stop closed one
 * browser twice (two browser-close events 16 ms apart); the next session's open, overlapping a
 * restartProfile its timeout had abandoned, read that launch's DevToolsActivePort and failed
 * with "GET http://127.0.0.1:PORT/json/list: connection refused".
 */
@Tag("browser")
class ChromiumOneCallAtATimeTest {
    @TempDir
    Path dir;
    private ChromiumProvider provider;
    private final List<BrowserEvent> events = new CopyOnWriteArrayList<>();
    private final ProfileConfig profile = new ProfileConfig("p1", "podA", null, SessionSettings.defaults(), null,
            null);

    @AfterEach
    void tearDown() {
        if (provider != null) {
            provider.close();
        }
    }

    private void provider(Path binary) {
        BrowserSettings d = BrowserSettings.defaults();
        provider = new ChromiumProvider(new BrowserSettings(BrowserSettings.Provider.CHROMIUM,
                new BrowserSettings.Chromium(binary, true, List.of()), d.adspower(), true, true, 30_000),
                dir.resolve("browsers"), dir.resolve("logs"), PosixSpawnLauncher.best(), new ProcFsProcessTable(),
                "test-" + UUID.randomUUID());
        provider.listen(events::add);
    }

    /** Like the engine's closeOnPause and its exit close: gracefully, else by force. */
    private CompletableFuture<Void> closeOffThread(String reason) {
        return CompletableFuture.runAsync(() -> {
            BrowserCause cause = BrowserCause.of(null, reason);
            try {
                provider.close(profile, cause);
            } catch (RuntimeException e) {
                provider.forceStop(profile, cause);
            }
        });
    }

    @Test
    void aBrowserClosedOnPauseWhileTheRunnerStopsIsClosedOnceWithOneEvent() throws Exception {
        provider(ChromiumBinary.find(null));
        provider.open(profile, BrowserCause.session("s-1"));

        CompletableFuture.allOf(closeOffThread("closeOnPause"), closeOffThread("the runner is stopping"))
                .get(60, TimeUnit.SECONDS);

        assertEquals(List.of(BrowserEvent.Kind.START, BrowserEvent.Kind.CLOSE),
                events.stream().map(BrowserEvent::kind).toList(), events.toString());
    }

    @Test
    void theNextOpenWaitsForALaunchStillUnderWayAndGetsAWorkingBrowser() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        // the first "Chromium" is slow and its DevTools is gone by the time anyone asks (a killed
        // restart's); every later one is the real Chromium
        Path wrapper = Files.writeString(dir.resolve("chromium-slow-first"), """
                #!/bin/sh
                for a in "$@"; do case $a in --user-data-dir=*) d=${a#--user-data-dir=};; esac; done
                if mkdir "%s" 2>/dev/null; then
                  sleep 0.8
                  printf '%d\\n/devtools/browser/gone\\n' > "$d/DevToolsActivePort"
                  exec sleep 600
                fi
                exec %s "$@"
                """.formatted(dir.resolve("first-started"), deadPort, ChromiumBinary.find(null)));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        provider(wrapper);

        CompletableFuture<Void> restart = CompletableFuture.runAsync(
                () -> provider.open(profile, BrowserCause.of("s-1", "recovery step restartProfile")));
        TimeUnit.MILLISECONDS.sleep(300);
        BrowserEndpoint next = provider.open(profile, BrowserCause.session("s-2"));

        assertTrue(restart.handle((ok, failed) -> failed != null).get(30, TimeUnit.SECONDS),
                "the slow launch failed");
        assertNotNull(next);
        assertTrue(BrowserChecks.answers(next, Duration.ofSeconds(5)), "the next session's browser answers");
        assertEquals(List.of(BrowserEvent.Kind.START, BrowserEvent.Kind.CLOSE, BrowserEvent.Kind.START),
                events.stream().map(BrowserEvent::kind).toList(), events.toString());
        assertEquals("session needs it", events.get(2).params().get("reason"));
    }
}
