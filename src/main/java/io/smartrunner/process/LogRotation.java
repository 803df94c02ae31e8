package io.smartrunner.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Rotation of one log file to {@code file.1} .. {@code file.keep}; older copies are dropped. */
final class LogRotation {
    private LogRotation() {
    }

    static Path numbered(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /**
     * logrotate's copytruncate, for a file a child is appending to: copy its newest
     * {@code maxBytes} to {@code .1}, then truncate it to 0. The child keeps its O_APPEND
     * descriptor and goes on writing at offset 0. Older bytes beyond the cap (a child that wrote
     * more than the cap between two polls) are dropped, so every rotated file respects the cap;
     * whatever the child writes between the end of the copy and the truncation is lost from the
     * logs: the price of never touching the child's descriptors.
     *
     * @return which bytes went to {@code .1} and how long the file was when truncated
     */
    static Truncation byCopyTruncate(Path file, int keep, long maxBytes) throws IOException {
        try (FileChannel live = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = live.size();
            long skipped = maxBytes > 0 ? Math.max(0, size - maxBytes) : 0;
            long copied = 0;
            if (keep > 0) {
                shift(file, keep);
                try (FileChannel copy = FileChannel.open(numbered(file, 1), StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    while (copied < size - skipped) {
                        copied += live.transferTo(skipped + copied, size - skipped - copied, copy);
                    }
                } catch (IOException copyFailed) {
                    // a full disk: the copy needs the space the truncation would free, so the file
                    // would stay past its cap for good and the disk full for every other writer (the
                    // store, the event log: no session could start). Its bytes are dropped instead.
                    Files.deleteIfExists(numbered(file, 1));
                    long length = live.size();
                    live.truncate(0);
                    throw new CopyFailed(file.getFileName() + ": cannot copy it to " + numbered(file, 1).getFileName()
                            + " (" + copyFailed.getMessage() + "); its " + length + " bytes were dropped to keep it"
                            + " within its cap", new Truncation(size, 0, length), copyFailed);
                }
            }
            long length = live.size();
            live.truncate(0);
            return new Truncation(skipped, copied, length);
        }
    }

    /** Drops {@code .keep} and moves every {@code .n} to {@code .n+1}. */
    private static void shift(Path file, int keep) throws IOException {
        Files.deleteIfExists(numbered(file, keep));
        for (int n = keep - 1; n >= 1; n--) {
            Path from = numbered(file, n);
            if (Files.exists(from)) {
                Files.move(from, numbered(file, n + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The copy failed; the live file was truncated all the same ({@link #truncation}: nothing copied). */
    static final class CopyFailed extends IOException {
        private final transient Truncation truncation;

        CopyFailed(String message, Truncation truncation, IOException cause) {
            super(message, cause);
            this.truncation = truncation;
        }

        Truncation truncation() {
            return truncation;
        }
    }

    /**
     * @param skipped bytes at the start of the live file that were dropped (past the cap)
     * @param copied  bytes now in {@code .1}: the live file's [skipped, skipped + copied)
     * @param length  the live file's length when truncated
     */
    record Truncation(long skipped, long copied, long length) {
    }
}
