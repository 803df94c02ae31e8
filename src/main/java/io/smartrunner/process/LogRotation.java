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

    /** Renames the file to {@code .1}: only for a file no running child writes to. */
    static void byRename(Path file, int keep) throws IOException {
        if (keep <= 0) {
            Files.deleteIfExists(file);
            return;
        }
        shift(file, keep);
        Files.move(file, numbered(file, 1), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * logrotate's copytruncate, for a file a child is appending to: copy it to {@code .1}, then
     * truncate it to 0. The child keeps its O_APPEND descriptor and goes on writing at offset 0.
     * Whatever it writes between the end of the copy and the truncation is lost from the logs;
     * the price of never touching the child's descriptors.
     *
     * @return how many bytes were copied to {@code .1} and how long the file was when truncated
     */
    static Truncation byCopyTruncate(Path file, int keep) throws IOException {
        try (FileChannel live = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long copied = 0;
            if (keep > 0) {
                shift(file, keep);
                try (FileChannel copy = FileChannel.open(numbered(file, 1), StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    long size = live.size();
                    while (copied < size) {
                        copied += live.transferTo(copied, size - copied, copy);
                    }
                }
            }
            long length = live.size();
            live.truncate(0);
            return new Truncation(copied, length);
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

    /** @param copied bytes now in {@code .1}; @param length the live file's length when truncated */
    record Truncation(long copied, long length) {
    }
}
