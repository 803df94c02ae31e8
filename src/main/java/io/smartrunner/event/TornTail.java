package io.smartrunner.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Repairs the end of an event log after a crash mid-append: the bytes after the last '\n' are
 * moved to {@code <file>.torn} and the log is cut back to its last complete line. Lines before
 * it are never touched, so a reader never sees half an event glued to the next one.
 */
final class TornTail {
    private TornTail() {
    }

    static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + ".torn");
    }

    /** @return how many bytes were moved aside (0 when the log ends with a complete line) */
    static long repair(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try (FileChannel log = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = log.size();
            long complete = size == 0 ? 0 : LineScanner.completeLength(log, size);
            if (complete == size) {
                return 0;
            }
            // Sidecar first and durable: a crash before the truncate only repeats the copy next time.
            try (FileChannel torn = FileChannel.open(sidecar(file), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                for (long pos = complete; pos < size; ) {
                    pos += log.transferTo(pos, size - pos, torn);
                }
                torn.write(ByteBuffer.wrap(new byte[] {'\n'}));
                torn.force(true);
            }
            log.truncate(complete);
            log.force(true);
            return size - complete;
        }
    }
}
