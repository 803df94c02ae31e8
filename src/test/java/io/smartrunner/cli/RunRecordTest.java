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

    /**
     * Reviewer R19: a clean stop recorded, then an older release (which keeps no record) ran and was
     * killed: the next start said previousStop "clean" beside that run's lost sessions. Sessions in
     * the log after the stop's record are a later, unrecorded run's: no record of the previous run.
     */
    @Test
    void aStopRecordedBeforeSessionsOfALaterUnrecordedRunIsNoRecordOfThePreviousRun() throws Exception {
        RunRecord run = RunRecord.begin(dir, 4242, T);
        run.stopped(line -> { });
        Instant recorded = Files.getLastModifiedTime(dir.resolve(RunRecord.FILE)).toInstant();
        Path log = dir.resolve("events.jsonl");
        try (io.smartrunner.event.JsonlEventSink sink = io.smartrunner.event.JsonlEventSink.open(log,
                io.smartrunner.config.RunnerSettings.FsyncPolicy.NEVER, 0)) {
            sink.append(java.util.List.of(Events.sessionStarted(recorded.minusSeconds(30), "podA", "p1", "s1", "true"),
                    Events.sessionFinished(recorded.minusSeconds(29), "podA", "p1", "s1", 1000L)));
            assertEquals(new Events.PreviousRun(4242, T, true), RunRecord.previous(dir, log), "its own sessions, before");
            sink.append(java.util.List.of(Events.sessionStarted(recorded.plusSeconds(60), "podA", "p1", "s2", "true")));
        }
        assertNull(RunRecord.previous(dir, log), "a later run's session: the record says nothing of it");
        assertEquals(new Events.PreviousRun(4242, T, true), RunRecord.previous(dir, dir.resolve("no-log.jsonl")));
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
