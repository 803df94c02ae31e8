package io.smartrunner.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Linux's {@code /proc} directly, without external commands. Processes come and go while
 * it reads: one that vanishes mid-scan is skipped, never an error.
 */
final class ProcFs {
    private static final Path PROC = Path.of("/proc");
    /** Room for a stat line (about 300 bytes: 52 numeric fields and a comm of at most 64). */
    static final int STAT_BYTES = 2048;

    private ProcFs() {
    }

    /** Every process on the machine, by pid, read in one pass. */
    static Map<Long, ProcStat> scan() {
        Map<Long, ProcStat> all = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
            for (Path entry : dir) {
                long pid = pidOf(entry.getFileName().toString());
                if (pid > 0) {
                    stat(pid).ifPresent(s -> all.put(pid, s));
                }
            }
        } catch (IOException e) {
            throw new ProcessException("cannot list /proc: " + e.getMessage(), e);
        }
        return all;
    }

    /** The process's stat line, or empty when it does not exist (any more). */
    static Optional<ProcStat> stat(long pid) {
        byte[] raw = new byte[STAT_BYTES];
        int n = ProcBytes.read(PROC.resolve(Long.toString(pid)).resolve("stat"), raw);
        if (n < 0) {
            return Optional.empty();
        }
        try {
            // ISO-8859-1 maps every byte to one char, so a strange command name cannot break parsing
            return Optional.of(ProcStat.parse(new String(raw, 0, n, StandardCharsets.ISO_8859_1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The process's start time in clock ticks since boot (field 22 of its stat), -1 when it is
     * gone: {@link #stat} without making a line of Strings (a launch reads it whenever its spawn
     * straddled a tick).
     */
    static long startTicks(long pid) {
        byte[] raw = new byte[STAT_BYTES];
        return ProcBytes.statField(raw, ProcBytes.read(PROC.resolve(Long.toString(pid)).resolve("stat"), raw), 22);
    }

    /** Whether the process is stopped by a signal or a tracer (state T or t); false when it does not exist. */
    /** Whether the process has exited: a zombie, gone, or its pid taken by another one since. */
    static boolean exited(long pid, long startTicks) {
        return stat(pid).map(st -> st.dead() || st.startTicks() != startTicks).orElse(true);
    }

    static boolean signalStopped(long pid) {
        return stat(pid).map(st -> st.state() == 'T' || st.state() == 't').orElse(false);
    }

    /**
     * The environment the process was started with; empty when it has gone, is a zombie or kernel
     * thread, or is not ours to read.
     */
    static Map<String, String> environ(long pid) {
        byte[] raw = environBytes(pid);
        Map<String, String> env = new HashMap<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > start) {
                    String entry = new String(raw, start, i - start, StandardCharsets.UTF_8);
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                    }
                }
                start = i + 1;
            }
        }
        return env;
    }

    /**
     * One variable of the environment the process was started with (the first entry, as
     * {@link #environ} keeps it), or null: found in the raw bytes, no map of every variable (a
     * stop's scans look up SR_SESSION_ID in every process of the host).
     */
    static String environValue(long pid, String name) {
        byte[] raw = environBytes(pid);
        byte[] key = (name + "=").getBytes(StandardCharsets.UTF_8);
        int start = 0;
        while (start < raw.length) {
            int end = start;
            while (end < raw.length && raw[end] != 0) {
                end++;
            }
            if (end - start >= key.length && java.util.Arrays.equals(raw, start, start + key.length, key, 0, key.length)) {
                return new String(raw, start + key.length, end - start - key.length, StandardCharsets.UTF_8);
            }
            start = end + 1;
        }
        return null;
    }

    /** /proc/PID/cmdline with its NULs as spaces; empty when it has gone, is a zombie or kernel thread. */
    static String cmdline(long pid) {
        return String.join(" ", argv(pid)).strip();
    }

    /** /proc/PID/cmdline's arguments, the program first; none when it has gone. */
    static List<String> argv(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int from = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, from, i - from, StandardCharsets.UTF_8));
                    from = i + 1;
                }
            }
            if (from < raw.length) { // a process that rewrote its arguments may end them without a NUL
                args.add(new String(raw, from, raw.length - from, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** /proc/PID/environ's NUL-separated entries; none when it has gone or is not ours to read. */
    private static byte[] environBytes(long pid) {
        try {
            return Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static long pidOf(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }
}
