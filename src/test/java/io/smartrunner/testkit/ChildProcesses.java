package io.smartrunner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Real child processes as a test sees them from outside: through {@code /proc} and the pid files
 * their sessions write ({@code echo $$ > child-{sessionId}.pid}).
 */
public final class ChildProcesses {
    private ChildProcesses() {
    }

    /** Whether the process exists and is not a zombie (a zombie has exited; only its parent's wait is due). */
    public static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the state follows the ')' that closes the command name, which may itself hold ") "
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** The pid in {@code file} once it is completely written (ends with a newline), else empty. */
    public static OptionalLong pidFile(Path file) {
        try {
            String s = Files.readString(file);
            return s.endsWith("\n") ? OptionalLong.of(Long.parseLong(s.strip())) : OptionalLong.empty();
        } catch (IOException | NumberFormatException notYet) {
            return OptionalLong.empty();
        }
    }

    /** The pids of the complete pid files in {@code dir} whose names start with {@code prefix}. */
    public static List<Long> pidFiles(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix))
                    .map(ChildProcesses::pidFile).filter(OptionalLong::isPresent).map(OptionalLong::getAsLong)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** SIGKILL, for cleanup: a pid already gone is fine. */
    public static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
