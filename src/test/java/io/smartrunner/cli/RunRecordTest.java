package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.Events;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data/run.state: what the next runner-start reads of the previous run, and how it is written. */
class RunRecordTest {
    private static final Instant T = Instant.parse("2026-12-06T17:00:00Z");
    @TempDir
    Path dir;

    @Test
    void aRunIsRunningUntilItsStopIsRecorded() {
        assertNull(RunRecord.previous(dir), "none yet");
        RunRecord run = RunRecord.begin(dir, 4242, T);
        assertEquals(new Events.PreviousRun(4242, T, false), RunRecord.previous(dir));
        run.stopped(line -> { });
        assertEquals(new Events.PreviousRun(4242, T, true), RunRecord.previous(dir));
    }

    /** Reviewer R7: a 3 GB record ended the start with an OutOfMemoryError, a FIFO blocked it for good. */
    @Test
    void aHugeRecordOrAFifoIsNoRecordAndStopsNothing() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(RunRecord.FILE).toFile(), "rw")) {
            f.setLength(3L << 30); // sparse
        }
        assertNull(RunRecord.previous(dir));
        Files.delete(dir.resolve(RunRecord.FILE));
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve(RunRecord.FILE).toString()).start().waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertNull(RunRecord.previous(dir)));
    }

    /** Reviewer R7: a link planted at run.state.tmp made the stop overwrite the file it pointed at. */
    @Test
    void aLinkAtTheTemporaryFileIsReplacedNotWrittenThrough() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "IMPORTANT\n");
        Files.createSymbolicLink(dir.resolve(RunRecord.FILE + ".tmp"), victim);
        RunRecord.begin(dir, 4242, T);
        assertEquals("IMPORTANT\n", Files.readString(victim));
        assertTrue(Files.readString(dir.resolve(RunRecord.FILE)).startsWith("4242 "));
    }
}
