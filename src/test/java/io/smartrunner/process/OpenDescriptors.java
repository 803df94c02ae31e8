package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a process's /proc/PID/fd shows: descriptor number → link target (e.g. "socket:[123]", a path). */
final class OpenDescriptors {
    private OpenDescriptors() {
    }

    static Map<Integer, String> of(long pid) throws IOException {
        return read(Path.of("/proc", Long.toString(pid), "fd"));
    }

    static Map<Integer, String> ofSelf() throws IOException {
        return read(Path.of("/proc/self/fd"));
    }

    private static Map<Integer, String> read(Path fdDir) throws IOException {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(fdDir)) {
            for (Path fd : entries.toList()) {
                try {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed by another thread
                }
            }
        }
        return fds;
    }
}
