package io.smartrunner.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The orphans the runner has adopted and not yet stopped, one {@code pid startTicks} line each, in
 * {@code <dataDir>/adopted-orphans}. A runner killed with -9 cannot stop them, and without a
 * cgroup nothing else names them (an {@code env -i} daemon carries no tag): the next runner of the
 * data dir reads this file and stops those still alive with the same start time.
 */
final class OrphanJournal {
    static final String FILE = "adopted-orphans";
    private final Path file;
    private String written = "";

    OrphanJournal(Path dataDir) {
        this.file = dataDir.resolve(FILE);
    }

    /** What the previous runner left: {pid, startTicks} pairs; empty when there is no file. */
    List<long[]> read() {
        List<long[]> entries = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return entries;
            }
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] f = line.trim().split(" ");
                if (f.length == 2) {
                    entries.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
                }
            }
        } catch (IOException | NumberFormatException e) {
            // a torn or unreadable file: nothing to stop from it
        }
        return entries;
    }

    /** Replaces the file's content (atomically) when the set changed. */
    void write(Collection<long[]> orphans) {
        StringBuilder b = new StringBuilder();
        orphans.forEach(o -> b.append(o[0]).append(' ').append(o[1]).append('\n'));
        String text = b.toString();
        if (text.equals(written)) {
            return;
        }
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written = text;
        } catch (IOException e) {
            // best effort: the orphans are still stopped by this runner; only a crash would miss them
        }
    }
}
