package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.process.Containment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A browser in a cgroup of its own (as {@code run} places it) that is closed gracefully: what its
 * main process left is stopped and counted once, in the close event's {@code swept}. Before, the
 * main process's exit killed the cgroup on the containment's timer thread, so the close said
 * {@code swept: 0} while stderr said {@code killed 1 leftover process(es) of ended browser run}.
 */
@Tag("browser")
class ChromiumContainedCloseTest {
    @TempDir
    Path dir;
    private ChromiumProvider provider;
    private Containment containment;
    private final List<BrowserEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> said = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (provider != null) {
            provider.close();
        }
        if (containment != null) {
            containment.close();
        }
    }

    @Test
    void whatAClosedBrowserLeftInItsCgroupIsCountedInItsCloseAndNotSaidAgain() throws Exception {
        containment = Containment.start("test-" + UUID.randomUUID(), dir, Duration.ofMillis(300), said::add);
        assertTrue(containment.describe().startsWith("cgroup v2 ("), "run as root with cgroup v2 (CI does): "
                + containment.describe());
        Path root = Path.of(containment.describe().substring("cgroup v2 (".length()).split(",")[0]);
        Path pidFile = dir.resolve("left.pid");
        provider = ChromiumLeavingAChild.provider(dir, pidFile);
        provider.listen(events::add);
        ProfileConfig profile = new ProfileConfig("contained", "podA", null, SessionSettings.defaults(), null, null);

        provider.open(profile, BrowserCause.session("s-1"));
        assertTrue(Files.exists(pidFile), "the wrapper's child started");
        assertEquals(1, cgroupsUnder(root), "the browser runs in a cgroup of its own");

        provider.close(profile, BrowserCause.of(null, "closeOnPause"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (cgroupsUnder(root) > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(20); // its removal, on the containment's timer thread, comes after any kill and line
        }
        assertEquals(0, cgroupsUnder(root), "the browser's cgroup is removed");

        assertEquals(List.of(BrowserEvent.Kind.START, BrowserEvent.Kind.CLOSE),
                events.stream().map(BrowserEvent::kind).toList());
        int swept = ((Number) events.get(1).params().get("swept")).intValue();
        assertTrue(swept >= 1, "the child the browser left is counted in its close: " + events.get(1));
        assertEquals(List.of(), said.stream().filter(l -> l.contains("leftover")).toList(),
                "the close's count is the only one (swept " + swept + ")");
    }

    /** The browser run's cgroup (named after its run id, which names the profile), not the sessions' pool. */
    private static long cgroupsUnder(Path root) throws java.io.IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isDirectory(d) && d.getFileName().toString().contains("contained")).count();
        }
    }
}
