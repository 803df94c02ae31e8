package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcBytesTest {
    @TempDir
    Path dir;

    @Test
    void readsWhatFitsOfAFileInOneCallAndMinusOneWhenItIsMissing() throws Exception {
        Path file = dir.resolve("f");
        Files.writeString(file, "0123456789");
        byte[] buf = new byte[64];
        assertEquals(10, ProcBytes.read(file, buf));
        assertEquals("0123456789", new String(buf, 0, 10, StandardCharsets.US_ASCII));
        byte[] small = new byte[4];
        assertEquals(4, ProcBytes.read(file, small), "as much as the buffer holds");
        assertEquals("0123", new String(small, StandardCharsets.US_ASCII));
        assertEquals(-1, ProcBytes.read(dir.resolve("missing"), buf));
        assertEquals(-1, ProcBytes.read(dir, buf), "a directory is not read");
        Path unicode = dir.resolve("ünïcode");
        Files.writeString(unicode, "ok");
        assertEquals(2, ProcBytes.read(unicode, buf), "a path that is not ASCII, through the JDK");
    }

    @Test
    void aProcFileIsReadWhole() throws Exception {
        byte[] buf = new byte[ProcFs.STAT_BYTES];
        int n = ProcBytes.read(Path.of("/proc/self/stat"), buf);
        String line = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.ISO_8859_1);
        // the same process, moments apart: the pid and comm agree, and the line ends where the file does
        assertEquals(line.substring(0, line.indexOf(')') + 1), new String(buf, 0, n, StandardCharsets.ISO_8859_1)
                .substring(0, line.indexOf(')') + 1));
        assertEquals('\n', buf[n - 1]);
    }

    @Test
    void aStatFieldIsCountedAfterTheLastParenthesis() {
        StringBuilder line = new StringBuilder("4242 (a) 1 2 ) Z");
        for (int field = 4; field <= 52; field++) {
            line.append(' ').append(field * 10);
        }
        byte[] buf = line.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
        assertEquals(220, ProcBytes.statField(buf, buf.length, 22), "the start time");
        assertEquals(390, ProcBytes.statField(buf, buf.length, 39), "the last CPU");
        assertEquals(40, ProcBytes.statField(buf, buf.length, 4));
        assertEquals(-1, ProcBytes.statField(buf, buf.length, 3), "the state is not a number");
        assertEquals(-1, ProcBytes.statField(buf, buf.length, 60), "no such field");
        assertEquals(-1, ProcBytes.statField(buf, -1, 22), "nothing read");
        byte[] noComm = "4242 sh S 1".getBytes(StandardCharsets.US_ASCII);
        assertEquals(-1, ProcBytes.statField(noComm, noComm.length, 4));
    }

    @Test
    void aProcessStartTimeIsField22OfItsStat() throws Exception {
        long self = ProcessHandle.current().pid();
        assertEquals(ProcFs.stat(self).orElseThrow().startTicks(), ProcFs.startTicks(self));
        assertEquals(-1, ProcFs.startTicks(Integer.MAX_VALUE), "no such process");
    }
}
