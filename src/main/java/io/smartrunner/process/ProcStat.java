package io.smartrunner.process;

/**
 * One line of {@code /proc/PID/stat}, the fields the runner needs.
 *
 * @param startTicks field 22: start time in clock ticks since boot; with the pid, names a process
 *                   uniquely across pid reuse
 * @param state      field 3: 'R', 'S', 'D', 'T', 'Z', ...
 */
record ProcStat(long pid, long ppid, long pgrp, long session, long startTicks, char state) {

    /** A zombie has exited already: it cannot be signalled and only waits for its parent. */
    boolean dead() {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    /**
     * Parses a stat line. The command name (field 2) may itself contain spaces and parentheses,
     * so the fixed fields are those after the last ')'.
     *
     * @throws IllegalArgumentException when the line is not a stat line
     */
    static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line: " + line);
        }
        long pid = Long.parseLong(line.substring(0, open).trim());
        String[] f = line.substring(close + 1).trim().split(" ");
        // f[0] is field 3 (state), so field N is f[N - 3]
        if (f.length < 20) {
            throw new IllegalArgumentException("short /proc stat line: " + line);
        }
        return new ProcStat(pid, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[19]), f[0].charAt(0));
    }
}
