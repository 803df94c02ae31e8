package io.smartrunner.event;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The files of one event log: {@code events.jsonl} (written now) and its rotated predecessors
 * {@code events.jsonl.1} (newest) .. {@code events.jsonl.N} (oldest), the numbering logrotate
 * uses. Rotation is a chain of renames, so a reader holding a file open keeps reading the same
 * bytes, and a line is never split across two files.
 */
public final class EventLogFiles {
    private EventLogFiles() {
    }

    /**
     * Every existing file of the log, oldest first; the live file last (even when it does not exist
     * yet, or is something else). A numbered name that is not a regular file (a directory, a FIFO:
     * the operator's, see {@link #notFiles}) is not one of the log's files: never read, moved or deleted.
     */
    public static List<Path> oldestFirst(Path file) {
        List<Path> out = new ArrayList<>(numbered(file).descendingMap().values().stream()
                .filter(Files::isRegularFile).toList());
        out.add(file);
        return out;
    }

    /** One line for each numbered name that is there but not a regular file, oldest first (readers skip them). */
    public static List<String> notFiles(Path file) {
        List<String> out = new ArrayList<>();
        for (Path p : numbered(file).descendingMap().values()) {
            String what = LogFileChannels.notAFile(p);
            if (what != null) {
                out.add(p + ": is " + what + ", not a file of the event log; skipped");
            }
        }
        return out;
    }

    private static TreeMap<Integer, Path> numbered(Path file) {
        TreeMap<Integer, Path> rotated = new TreeMap<>();
        Path dir = file.toAbsolutePath().getParent();
        String prefix = file.getFileName() + ".";
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> names = Files.newDirectoryStream(dir, prefix + "*")) {
                for (Path p : names) {
                    Integer n = generation(p.getFileName().toString().substring(prefix.length()));
                    if (n != null) {
                        rotated.put(n, file.resolveSibling(p.getFileName()));
                    }
                }
            } catch (IOException e) {
                throw new EventLogException(dir + ": cannot list the event log's rotated files: "
                        + JsonlEventSink.reason(e), e);
            }
        }
        return rotated;
    }

    /** The n-th rotated file ({@code events.jsonl.n}). */
    public static Path rotated(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /**
     * Shifts {@code file} to {@code file.1} (and each {@code file.n} to {@code file.n+1}),
     * dropping what would become {@code file.keep+1}; then makes the renames durable. The caller
     * has closed or finished writing {@code file}; it opens a new one afterwards.
     */
    static void rotate(Path file, int keep) throws IOException {
        // a directory (or FIFO…) at the path or in the window is the operator's: refused before any
        // rename, never shifted along (a directory put at the path went .1, .2, .3 with its contents)
        for (int n = 0; n <= keep; n++) {
            Path p = n == 0 ? file : rotated(file, n);
            String what = LogFileChannels.notAFile(p);
            if (what != null) {
                throw new LogFileChannels.NotAFileException(p, what);
            }
        }
        List<Path> existing = oldestFirst(file);
        // older than keep-1 can only shift out of the window: delete them (also leftovers of a larger keep)
        for (Path p : existing) {
            Integer n = generationOf(file, p);
            if (n != null && n >= keep) {
                Files.deleteIfExists(p);
            }
        }
        for (int n = keep - 1; n >= 1; n--) {
            Path from = rotated(file, n);
            if (Files.exists(from)) {
                Files.move(from, rotated(file, n + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (Files.exists(file)) {
            Files.move(file, rotated(file, 1), StandardCopyOption.ATOMIC_MOVE);
        }
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /** fsync of a directory: Linux makes renames durable this way (other systems may refuse it). */
    static void syncDirectory(Path dir) {
        io.smartrunner.DurableFiles.syncDirectory(dir);
    }

    private static Integer generationOf(Path file, Path p) {
        String name = p.getFileName().toString();
        String prefix = file.getFileName() + ".";
        return name.startsWith(prefix) ? generation(name.substring(prefix.length())) : null;
    }

    private static Integer generation(String suffix) {
        if (suffix.isEmpty() || suffix.length() > 6 || suffix.charAt(0) == '0') {
            return null;
        }
        for (int i = 0; i < suffix.length(); i++) {
            if (suffix.charAt(i) < '0' || suffix.charAt(i) > '9') {
                return null;
            }
        }
        return Integer.parseInt(suffix);
    }
}
