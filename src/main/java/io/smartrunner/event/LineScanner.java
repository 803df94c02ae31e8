package io.smartrunner.event;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Splits a file into '\n'-terminated lines in fixed-size chunks, forwards or backwards, so a
 * multi-gigabyte log is never loaded whole. Bytes after the last '\n' (a line still being
 * written, or torn) are never handed out as a line.
 */
final class LineScanner {
    static final int CHUNK = 64 * 1024;

    /** Receives one line without its '\n'; the array is only valid during the call. */
    @FunctionalInterface
    interface LineHandler {
        /** @return false to stop scanning */
        boolean line(byte[] buf, int off, int len);
    }

    /** Like {@link LineHandler}, also told where in the file the line starts. */
    @FunctionalInterface
    interface PlacedLineHandler {
        /** @return false to stop scanning */
        boolean line(byte[] buf, int off, int len, long lineStart);
    }

    private LineScanner() {
    }

    /**
     * Hands out the complete lines in [from, end), in order.
     *
     * @param from a line start
     * @return the offset just after the last line handed out
     */
    static long forward(FileChannel ch, long from, long end, LineHandler handler) throws IOException {
        return forward(ch, from, end, (PlacedLineHandler) (buf, off, len, at) -> handler.line(buf, off, len));
    }

    /** {@link #forward(FileChannel, long, long, LineHandler)} with each line's offset. */
    static long forward(FileChannel ch, long from, long end, PlacedLineHandler handler) throws IOException {
        byte[] buf = new byte[CHUNK];
        int carry = 0;
        long bufStart = from;
        long pos = from;
        while (pos < end) {
            if (carry == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int want = (int) Math.min(buf.length - carry, end - pos);
            int n = ch.read(ByteBuffer.wrap(buf, carry, want), pos);
            if (n <= 0) {
                break;
            }
            pos += n;
            int limit = carry + n;
            int start = 0;
            for (int i = carry; i < limit; i++) {
                if (buf[i] == '\n') {
                    if (!handler.line(buf, start, i - start, bufStart + start)) {
                        return bufStart + i + 1;
                    }
                    start = i + 1;
                }
            }
            bufStart += start;
            carry = limit - start;
            System.arraycopy(buf, start, buf, 0, carry);
        }
        return bufStart;
    }

    /**
     * Hands out the complete lines before {@code end}, newest first.
     *
     * @param end a line boundary, as returned by {@link #completeLength}
     */
    static void backward(FileChannel ch, long end, LineHandler handler) throws IOException {
        backward(ch, end, (PlacedLineHandler) (buf, off, len, at) -> handler.line(buf, off, len));
    }

    /** {@link #backward(FileChannel, long, LineHandler)} with each line's offset. */
    static void backward(FileChannel ch, long end, PlacedLineHandler handler) throws IOException {
        long pos = end - 1;
        byte[] pending = new byte[0];
        while (pos > 0) {
            int n = (int) Math.min(CHUNK, pos);
            pos -= n;
            byte[] combined = new byte[n + pending.length];
            readFully(ch, ByteBuffer.wrap(combined, 0, n), pos);
            System.arraycopy(pending, 0, combined, n, pending.length);
            int lineEnd = combined.length;
            for (int i = n - 1; i >= 0; i--) {
                if (combined[i] == '\n') {
                    if (!handler.line(combined, i + 1, lineEnd - i - 1, pos + i + 1)) {
                        return;
                    }
                    lineEnd = i;
                }
            }
            pending = Arrays.copyOf(combined, lineEnd);
        }
        if (end > 0) {
            handler.line(pending, 0, pending.length, 0);
        }
    }

    /** The offset just after the last '\n' before {@code end}; 0 when there is none. */
    static long completeLength(FileChannel ch, long end) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(end, 1)));
        long pos = end;
        while (pos > 0) {
            int n = (int) Math.min(buf.capacity(), pos);
            pos -= n;
            buf.clear().limit(n);
            readFully(ch, buf, pos);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return pos + i + 1;
                }
            }
        }
        return 0;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new EOFException("file shrank while being read, at offset " + at);
            }
            at += n;
        }
    }
}
