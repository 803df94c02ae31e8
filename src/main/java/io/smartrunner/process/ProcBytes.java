package io.smartrunner.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Small kernel files ({@code /proc}, cgroupfs) read as bytes into the caller's buffer and parsed in
 * place. The reaper reads a few of them at every exit; decoding them into lines of Strings
 * ({@code Files.readAllLines}) was half of that thread's CPU in a crash loop.
 */
final class ProcBytes {
    /**
     * Whether {@link ProcLibC} links here. FileInputStream took five system calls a file (its open
     * stats it, and reading until the end of the file takes a second read) and a Cleaner each: the
     * reaper reads one or two of these files at every exit.
     */
    private static final boolean DIRECT = linked();

    private ProcBytes() {
    }

    private static boolean linked() {
        try {
            ProcLibC.close(-1);
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    /**
     * Reads up to {@code buf.length} bytes of the file; how many, or -1 when it cannot be read (gone).
     * One read: these files hand over all they hold in it (a seq_file's show runs whole), so a
     * short read is their end.
     */
    static int read(Path file, byte[] buf) {
        byte[] path = DIRECT ? asciiPath(file) : null;
        if (path == null) {
            return readByStream(file, buf);
        }
        int fd = ProcLibC.open(path, ProcLibC.O_RDONLY | ProcLibC.O_CLOEXEC);
        if (fd < 0) {
            return -1;
        }
        try {
            long n = ProcLibC.read(fd, buf, buf.length);
            return n < 0 ? -1 : (int) n;
        } finally {
            ProcLibC.close(fd);
        }
    }

    /**
     * The path's bytes, NUL-terminated, for a direct-mapped system call, when it is ASCII (then
     * they are the ones the JDK made it with, whatever the locale); else null.
     */
    static byte[] asciiPath(Path file) {
        String s = file.toString();
        byte[] bytes = new byte[s.length() + 1];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 0x7f) {
                return null;
            }
            bytes[i] = (byte) c;
        }
        return bytes;
    }

    private static int readByStream(Path file, byte[] buf) {
        try (InputStream in = new FileInputStream(file.toString())) {
            int n = 0;
            while (n < buf.length) {
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Field {@code field} (3 or more, numbered as in proc(5)) of a /proc/PID/stat line in
     * {@code buf[0, n)} as a number, or -1 when it is missing or not a number. Fields are counted
     * after the last ')', as comm may hold any character.
     */
    static long statField(byte[] buf, int n, int field) {
        int i = n;
        while (--i >= 0 && buf[i] != ')') {
            // the last ')' ends comm
        }
        if (i < 0 || field < 3) {
            return -1;
        }
        // the space before field 3 (the state) comes right after ')'
        for (int f = 3; f <= field; f++) {
            i = indexOf(buf, n, (byte) ' ', i + 1);
            if (i < 0) {
                return -1;
            }
        }
        return parseDecimal(buf, i + 1, n, 0);
    }

    /** The first index of {@code b} in {@code buf[from, n)}, or -1. */
    static int indexOf(byte[] buf, int n, byte b, int from) {
        for (int i = Math.max(0, from); i < n; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The first index of {@code needle} in {@code buf[from, n)}, or -1. */
    static int indexOf(byte[] buf, int n, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= n - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * The decimal number at {@code buf[from]} ("163089.789310") scaled by 10^{@code fractionDigits}
     * (extra fraction digits dropped, missing ones taken as 0); -1 when no digit is there or it
     * overflows.
     */
    static long parseDecimal(byte[] buf, int from, int n, int fractionDigits) {
        long value = 0;
        int i = from;
        int digits = 0;
        while (i < n && buf[i] >= '0' && buf[i] <= '9') {
            if (value > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            value = value * 10 + (buf[i++] - '0');
            digits++;
        }
        if (digits == 0) {
            return -1;
        }
        boolean fraction = i < n && buf[i] == '.';
        if (fraction) {
            i++;
        }
        for (int k = 0; k < fractionDigits; k++) {
            int d = fraction && i < n && buf[i] >= '0' && buf[i] <= '9' ? buf[i++] - '0' : 0;
            if (value > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
