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
    private ProcBytes() {
    }

    /** Reads up to {@code buf.length} bytes of the file; how many, or -1 when it cannot be read (gone). */
    static int read(Path file, byte[] buf) {
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
