package io.smartrunner.event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code <log>.base}: where the live file starts in the whole log's byte stream, written by the
 * sink at each rotation or reopen as "{@code <file key> <offset>}". Cursors of {@code /api/events}
 * are offsets in that stream, so they stay valid when files are renamed or the oldest is
 * deleted. The file key (inode) tells a reader whether the base belongs to the file the path
 * names now.
 */
record LogBase(String key, long offset) {
    static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + ".base");
    }

    /** @return null when there is none or it cannot be read */
    static LogBase read(Path file) {
        try {
            String[] parts = Files.readString(sidecar(file), StandardCharsets.UTF_8).strip().split(" ");
            return parts.length == 2 ? new LogBase(parts[0], Long.parseLong(parts[1])) : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Replaces the sidecar in one rename, so a reader sees the old or the new base, never half. */
    void write(Path file) throws IOException {
        Path side = sidecar(file);
        Path temp = side.resolveSibling(side.getFileName() + ".tmp");
        Files.writeString(temp, key + " " + offset + "\n", StandardCharsets.UTF_8);
        Files.move(temp, side, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The base of the live file at {@code file}: the sidecar's when it names this file, the
     * sidecar's plus the size of {@code .1} when it names that one (rotated while no sink ran),
     * else the size of the rotated files (offset 0 = the oldest byte still kept).
     */
    static long current(Path file) throws IOException {
        LogBase b = read(file);
        Object live = LogFollower.key(file);
        if (b != null && live != null && b.key().equals(live.toString())) {
            return b.offset();
        }
        Path first = EventLogFiles.rotated(file, 1);
        Object rotated = LogFollower.key(first);
        if (b != null && rotated != null && b.key().equals(rotated.toString())) {
            return b.offset() + Files.size(first);
        }
        long sum = 0;
        for (Path p : EventLogFiles.oldestFirst(file)) {
            if (!p.equals(file) && Files.exists(p)) {
                sum += Files.size(p);
            }
        }
        return sum;
    }
}
