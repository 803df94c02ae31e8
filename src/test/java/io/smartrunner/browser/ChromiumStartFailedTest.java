package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launch that fails after its "Chromium" ran (it never opens DevTools: a process that only
 * sleeps) still logs that browser: its start, then its forced close with {@code startFailed}.
 * Regression: reopenProfile / restartProfile started and killed browsers no event named.
 */
class ChromiumStartFailedTest {
    @TempDir
    Path dir;
    private ChromiumProvider provider;
    private final List<BrowserEvent> events = new CopyOnWriteArrayList<>();
    private final ProfileConfig profile = new ProfileConfig("slow", "podA", null, SessionSettings.defaults(), null,
            null);

    @BeforeEach
    void setUp() throws Exception {
        Path neverReady = Files.writeString(dir.resolve("chromium-never-ready"), "#!/bin/sh\nexec sleep 600\n");
        Files.setPosixFilePermissions(neverReady, PosixFilePermissions.fromString("rwx------"));
        BrowserSettings d = BrowserSettings.defaults();
        provider = new ChromiumProvider(new BrowserSettings(BrowserSettings.Provider.CHROMIUM,
                new BrowserSettings.Chromium(neverReady, true, List.of()), d.adspower(), true, true, 1_000),
                dir.resolve("browsers"), dir.resolve("logs"), PosixSpawnLauncher.best(), new ProcFsProcessTable(),
                "test-" + UUID.randomUUID());
        provider.listen(events::add);
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void aBrowserThatIsNotReadyInTimeIsLoggedAsStartedAndClosedByForce() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> provider.open(profile, BrowserCause.of("s-1", "recovery step restartProfile")));

        assertTrue(e.getMessage().contains("did not open DevTools"), e.getMessage());
        assertStartedThenClosed("recovery step restartProfile", "did not open DevTools");
    }

    @Test
    void aLaunchInterruptedByAStepTimeoutIsLoggedAsStartedAndClosedByForce() throws Exception {
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        Thread step = new Thread(() -> {
            try {
                provider.open(profile, BrowserCause.of("s-1", "recovery step reopenProfile"));
                failed.complete(null);
            } catch (RuntimeException e) {
                failed.complete(e);
            }
        });
        step.start();
        TimeUnit.MILLISECONDS.sleep(300); // the launch is waiting for DevTools
        step.interrupt(); // what BrowserActions' cancel does at the step timeout

        assertTrue(failed.get(30, TimeUnit.SECONDS) != null, "the open fails");
        assertStartedThenClosed("recovery step reopenProfile", "interrupted");
    }

    private void assertStartedThenClosed(String reason, String startFailed) {
        assertEquals(List.of(BrowserEvent.Kind.START, BrowserEvent.Kind.CLOSE),
                events.stream().map(BrowserEvent::kind).toList(), events.toString());
        BrowserEvent started = events.get(0);
        BrowserEvent closed = events.get(1);
        assertEquals(reason, started.params().get("reason"));
        assertEquals("s-1", started.sessionId());
        Object pid = started.params().get("pid");
        assertTrue(pid instanceof Number n && n.longValue() > 0, started.toString());
        assertEquals(pid, closed.params().get("pid"), "the close names the browser the start did");
        assertEquals(reason, closed.params().get("reason"));
        assertEquals(true, closed.params().get("forced"));
        assertTrue(String.valueOf(closed.params().get("startFailed")).contains(startFailed), closed.toString());
        assertTrue(((Number) closed.params().get("swept")).intValue() >= 1, "the launched process was stopped");
        assertFalse(ProcessHandle.of(((Number) pid).longValue()).map(ProcessHandle::isAlive).orElse(false)
                        && !zombie(((Number) pid).longValue()), "and is gone");
        assertEquals(BrowserStatus.CLOSED, provider.status("slow"), "nothing is held open");
    }

    private static boolean zombie(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "stat")).contains(") Z ");
        } catch (java.io.IOException gone) {
            return true;
        }
    }
}
