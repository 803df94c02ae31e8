package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.SmallTmpfs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLogTest {
    @TempDir
    Path dir;

    @Test
    void copyTruncatesPastTheCapKeepingTheNewestBytesInKeepCopiesAndCountingEveryByte() throws Exception {
        Path file = dir.resolve("p.log");
        Files.writeString(file, "earlier session\n");
        SessionLog log = SessionLog.open(file, 100, 2);

        append(file, 150);
        assertEquals(150, log.poll());
        assertEquals(0, Files.size(file));
        assertEquals(100, Files.size(LogRotation.numbered(file, 1)), "the newest bytes, up to the cap");

        append(file, 101);
        assertEquals(251, log.poll());
        append(file, 102);
        assertEquals(353, log.poll());
        append(file, 7);
        assertEquals(360, log.poll());

        assertEquals(7, Files.size(file));
        assertEquals(100, Files.size(LogRotation.numbered(file, 1)));
        assertEquals(100, Files.size(LogRotation.numbered(file, 2)));
        assertFalse(Files.exists(LogRotation.numbered(file, 3)));
    }

    /**
     * A full disk: the copy to .1 needs the space the truncation would free. The file used to stay
     * past its cap for good, the disk full for the store and the event log (no session could
     * start) and the poll's failure turned the session's end into an internal error. Now its bytes
     * are dropped, the poll says so, and the disk has its space back.
     */
    @Test
    void onAFullDiskTheLogIsTruncatedWithoutItsCopyAndThePollSaysSo() throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("small"), 4)) {
            Path file = disk.dir().resolve("p.log");
            SessionLog log = SessionLog.open(file, 1_000_000, 2);
            append(file, 3_000_000);
            disk.fill();

            ProcessException e = assertThrows(ProcessException.class, log::poll);

            assertTrue(e.getMessage().contains("p.log: cannot copy it to p.log.1 (")
                    && e.getMessage().endsWith("its 3000000 bytes were dropped to keep it within its cap"), e.getMessage());
            assertEquals(0, Files.size(file));
            assertFalse(Files.exists(LogRotation.numbered(file, 1)), "no partial copy left");
            assertTrue(Files.getFileStore(disk.dir()).getUsableSpace() > 2_000_000, "the disk has its space back");
            append(file, 10);
            assertEquals(3_000_010, log.poll(), "every byte the session wrote is still counted");
        }
    }

    @Test
    void keepZeroTruncatesWithoutCopies() throws Exception {
        Path file = dir.resolve("p.log");
        SessionLog log = SessionLog.open(file, 10, 0);

        append(file, 11);

        assertEquals(11, log.poll());
        assertEquals(0, Files.size(file));
        assertFalse(Files.exists(LogRotation.numbered(file, 1)));
    }

    @Test
    void openCreatesTheDirectoryAndStartsCountingAtTheCurrentEnd() throws Exception {
        Path file = dir.resolve("a/b/p.log");
        SessionLog log = SessionLog.open(file, 0, 0);
        assertEquals(0, log.poll());

        append(file, 5);

        assertEquals(5, log.poll());
        assertEquals(0, SessionLog.open(file, 0, 0).poll());
    }

    private static void append(Path file, int bytes) throws Exception {
        Files.write(file, new byte[bytes], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
