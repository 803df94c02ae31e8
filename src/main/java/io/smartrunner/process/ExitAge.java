package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long ago a child that has exited but is not reaped yet (a zombie) exited, from the kernel
 * rather than from when the runner noticed: a runner frozen by SIGSTOP (or starved) notices late,
 * and a session's durMs must not include the freeze. {@code se.exec_start} in
 * {@code /proc/<pid>/sched} is the scheduler clock when the task last ran, for a zombie its
 * exit; the calling thread's own, read right after it woke, is "now" on the same clock.
 * Needs CONFIG_SCHED_DEBUG (most distribution kernels); without it the answer is 0 ("just now").
 */
final class ExitAge {
    private static final String FIELD = "se.exec_start";

    private ExitAge() {
    }

    /** Nanoseconds since the zombie {@code pid} exited; 0 when the kernel does not say. Call before reaping it. */
    static long nanosAgo(long pid) {
        long exited = execStartNanos(Path.of("/proc", Long.toString(pid), "sched"));
        long now = exited < 0 ? -1 : execStartNanos(Path.of("/proc/thread-self/sched"));
        return exited < 0 || now < 0 ? 0 : Math.max(0, now - exited);
    }

    /** se.exec_start ("163089.789310", in ms) as nanoseconds, or -1. */
    static long execStartNanos(Path sched) {
        try {
            for (String line : Files.readAllLines(sched)) {
                if (line.startsWith(FIELD)) {
                    String ms = line.substring(line.indexOf(':') + 1).strip();
                    int dot = ms.indexOf('.');
                    long whole = Long.parseLong(dot < 0 ? ms : ms.substring(0, dot));
                    String frac = dot < 0 ? "" : (ms.substring(dot + 1) + "000000").substring(0, 6);
                    return whole * 1_000_000L + (frac.isEmpty() ? 0 : Long.parseLong(frac));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
