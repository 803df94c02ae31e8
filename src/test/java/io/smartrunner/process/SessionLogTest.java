package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
