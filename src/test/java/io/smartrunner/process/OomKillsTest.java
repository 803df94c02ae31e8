package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OOM killer's count, on a vmstat file the test writes (the real one is read by OomKills.system()). */
class OomKillsTest {
    @TempDir
    Path dir;

    @Test
    void aRiseSinceTheLastReadingIsSaidOnce() throws Exception {
        Path vmstat = Files.writeString(dir.resolve("vmstat"), "nr_free_pages 1\noom_kill 3\nnr_foo 9\n");
        OomKills kills = new OomKills(vmstat);
        assertNull(kills.sinceLastDeath(), "no rise since the start");
        Files.writeString(vmstat, "nr_free_pages 1\noom_kill 5\n");
        assertEquals("the kernel's OOM killer killed 2 process(es) meanwhile (/proc/vmstat oom_kill 3 -> 5): most"
                + " likely out of memory (the session's memory limit, or the host's)", kills.sinceLastDeath());
        assertNull(kills.sinceLastDeath(), "said for the death it came with, not the next one");
    }

    @Test
    void noCountNoHint() throws Exception {
        OomKills old = new OomKills(Files.writeString(dir.resolve("vmstat"), "nr_free_pages 1\n"));
        assertNull(old.sinceLastDeath());
        assertNull(new OomKills(dir.resolve("missing")).sinceLastDeath());
        assertEquals(true, Files.readString(Path.of("/proc/vmstat")).contains("oom_kill "),
                "this machine's kernel has the count the runner reads");
    }
}
