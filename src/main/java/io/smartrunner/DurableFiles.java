package io.smartrunner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync of a file's content and of a directory's entries: what makes a write-then-rename durable on Linux. */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** The file's content on disk. */
    public static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** The directory's entries (a rename, a deletion) on disk; other systems may refuse it: then the OS's. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            // nothing to make durable
        } catch (IOException e) {
            // not supported here: the renames still happened, only their durability is the OS's
        }
    }
}
