package io.smartrunner.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens the event log's files only once a stat has said what they are. Opening a FIFO blocks until
 * its other end is opened too (for ever, if nobody does): a FIFO put at the log's path froze the
 * runner's loop inside the open, deaf to SIGTERM, and hung {@code events} and {@code report}. A
 * FIFO, a socket or a block device is refused instead; a character device ({@code /dev/null},
 * {@code /dev/full}) opens at once and is taken as it is. The stat and the open are two calls: a
 * FIFO swapped in between them is not caught, which only someone racing the runner on purpose does.
 */
final class LogFileChannels {
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFBLK = 0060000;

    private LogFileChannels() {
    }

    /**
     * Thrown instead of opening a file whose open could block, or of rotating something that is not
     * a file ({@link EventLogFiles#rotate}); its message is "path: is a FIFO (named pipe), not a file".
     */
    static final class NotAFileException extends FileSystemException {
        NotAFileException(Path file, String what) {
            super(file.toString(), null, "is " + what + ", not a file");
        }

        @Override
        public String getMessage() {
            return getFile() + ": " + getReason();
        }
    }

    /** "a FIFO (named pipe)", "a socket", "a block device", or null: missing, or safe to open. */
    static String blockingKind(Path p) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null; // missing, or no unix view: the open says what is wrong
        }
        return switch (mode & S_IFMT) {
            case S_IFIFO -> "a FIFO (named pipe)";
            case S_IFSOCK -> "a socket";
            case S_IFBLK -> "a block device";
            default -> null;
        };
    }

    /**
     * What {@code p} is when it is neither missing nor a regular file (symbolic links followed):
     * "a directory", "a FIFO (named pipe)", "a socket", "a block device", "a character device".
     */
    static String notAFile(Path p) {
        if (!Files.exists(p) || Files.isRegularFile(p)) {
            return null;
        }
        if (Files.isDirectory(p)) {
            return "a directory";
        }
        String blocking = blockingKind(p);
        return blocking != null ? blocking : "a character device";
    }

    /** @throws NotAFileException when opening {@code p} could block */
    static void requireOpenable(Path p) throws NotAFileException {
        String kind = blockingKind(p);
        if (kind != null) {
            throw new NotAFileException(p, kind);
        }
    }

    static FileChannel openRead(Path p) throws IOException {
        requireOpenable(p);
        return FileChannel.open(p, StandardOpenOption.READ);
    }

    /** Creating it when missing. */
    static FileChannel openAppend(Path p) throws IOException {
        requireOpenable(p);
        return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
}
