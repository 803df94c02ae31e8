package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SessionCgroup#remove} through rmdir(2) itself: what it says for each case the runner meets. */
class SessionCgroupTest {
    @TempDir
    Path dir;

    @Test
    void anEmptyDirectoryIsRemoved() throws Exception {
        Path d = Files.createDirectory(dir.resolve("empty"));
        assertTrue(new SessionCgroup(d).remove());
        assertFalse(Files.exists(d));
    }

    @Test
    void oneAlreadyGoneCountsAsRemoved() {
        assertTrue(new SessionCgroup(dir.resolve("never-made")).remove());
    }

    /** As a populated cgroup's rmdir fails (EBUSY), so does a non-empty directory's: it stays, and the caller retries. */
    @Test
    void oneThatCannotBeRemovedStaysAndSaysSo() throws Exception {
        Path d = Files.createDirectory(dir.resolve("full"));
        Files.writeString(d.resolve("f"), "x");
        assertFalse(new SessionCgroup(d).remove());
        assertTrue(Files.isDirectory(d));
    }

    @Test
    void aPathBeyondAsciiIsRemovedTheJdksWay() throws Exception {
        Path d = Files.createDirectory(dir.resolve("ünïcode"));
        assertTrue(new SessionCgroup(d).remove());
        assertFalse(Files.exists(d));
    }
}
