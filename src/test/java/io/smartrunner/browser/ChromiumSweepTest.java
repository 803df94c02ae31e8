package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that outlives the browser's main process (here a process that left the browser's group
 * and session, as Chromium's crash handler does) is stopped when the browser closes, and the
 * close event says how many were swept. The "Chromium" is a wrapper that starts such a child and
 * then execs the real one.
 */
@Tag("browser")
class ChromiumSweepTest {
    @TempDir
    Path dir;
    private ChromiumProvider provider;
    private final List<BrowserEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void whatOutlivesAClosedBrowserIsStoppedAndCountedInItsCloseEvent() throws Exception {
        Path pidFile = dir.resolve("stuck.pid");
        provider = ChromiumLeavingAChild.provider(dir, pidFile);
        provider.listen(events::add);
        ProfileConfig profile = new ProfileConfig("sweep", "podA", null, SessionSettings.defaults(), null, null);

        provider.open(profile, BrowserCause.session("s-1"));
        long stuck = Long.parseLong(Files.readString(pidFile).strip());
        assertTrue(running(stuck), "the stuck child runs");
        BrowserUse use = provider.use("sweep", true);
        assertEquals(List.of(provider.status("sweep").pid(), 1), List.of(use.pid(), use.sessions()));
        assertTrue(use.rssBytes() > 20L << 20, "a Chromium's processes hold more than 20 MiB: " + use.rssBytes());
        assertEquals(-1, provider.use("sweep", false).rssBytes(), "not measured unless asked");

        provider.close(profile, BrowserCause.of(null, "closeOnPause"));

        assertFalse(running(stuck), "swept (a zombie now at most: this JVM is no subreaper to reap it)");
        assertEquals(List.of(BrowserEvent.Kind.START, BrowserEvent.Kind.CLOSE),
                events.stream().map(BrowserEvent::kind).toList());
        BrowserEvent closed = events.get(1);
        assertEquals("closeOnPause", closed.params().get("reason"));
        assertEquals(1, closed.params().get("sessions"));
        assertTrue(((Number) closed.params().get("swept")).intValue() >= 1, closed.toString());
    }

    /** Alive and not a zombie, from /proc/PID/stat. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException gone) {
            return false;
        }
    }
}
