package io.smartrunner.process;

import java.nio.file.Path;

/**
 * Now, in the unit of /proc/PID/stat's start time: clock ticks since boot (CLOCK_BOOTTIME, the
 * clock /proc/uptime shows). Used to order session ends against orphans' start times: read at
 * every session's end, so with one call, not /proc/uptime's open, read and close (the value is
 * the one /proc/uptime would give). And a spawned child's start time without reading its /proc
 * entry ({@link #startTicksBetween}).
 */
final class BootTicks {
    /** Clock ticks per second (sysconf(_SC_CLK_TCK), 100 almost everywhere). */
    static final long HZ = hz();
    private static final Path UPTIME = Path.of("/proc/uptime");
    private static final int UPTIME_BYTES = 64;
    private static final int CLOCK_BOOTTIME = 7;
    /** Nanoseconds per tick when a second holds a whole number of ticks (as the kernel's own conversion needs), else 0. */
    private static final long TICK_NANOS = 1_000_000_000L % HZ == 0 ? 1_000_000_000L / HZ : 0;

    private BootTicks() {
    }

    static long now() {
        long nanos = nanos();
        return nanos >= 0 ? ticks(nanos / 10_000_000) : fromUptime();
    }

    /** CLOCK_BOOTTIME in nanoseconds; -1 when it cannot be read here. */
    static long nanos() {
        long[] timespec = new long[2];
        try {
            if (SpawnLibC.clock_gettime(CLOCK_BOOTTIME, timespec) == 0) {
                return timespec[0] * 1_000_000_000L + timespec[1];
            }
        } catch (LinkageError e) {
            // no such call here
        }
        return -1;
    }

    /**
     * The start time /proc/PID/stat shows for a process forked between two readings of
     * {@link #nanos()}, or -1 when that cannot be known without reading it. The kernel stamps a
     * fork with CLOCK_BOOTTIME and shows it in whole ticks, rounded down: when both readings fall
     * in the same tick (a spawn takes a fraction of a millisecond, a tick is 10 ms), that tick is
     * the start time, exactly. It names the process with its pid for as long as the runner knows it,
     * so it must be the very value /proc shows; straddling a tick's end, the caller reads /proc.
     */
    static long startTicksBetween(long beforeNanos, long afterNanos) {
        if (TICK_NANOS == 0 || beforeNanos < 0 || afterNanos < beforeNanos) {
            return -1;
        }
        long tick = beforeNanos / TICK_NANOS;
        return afterNanos / TICK_NANOS == tick ? tick : -1;
    }

    /** As {@link #now()}, from /proc/uptime. */
    static long fromUptime() {
        byte[] buf = new byte[UPTIME_BYTES];
        long centis = ProcBytes.parseDecimal(buf, 0, ProcBytes.read(UPTIME, buf), 2); // "12345.67 ..."
        if (centis < 0) {
            throw new ProcessException("cannot read /proc/uptime");
        }
        return ticks(centis);
    }

    /** Hundredths of a second since boot (what /proc/uptime shows) in ticks. */
    private static long ticks(long centis) {
        // rounded up: a session's end is never placed before an orphan that started in the same tick
        return (centis * HZ + 99) / 100;
    }

    private static long hz() {
        try {
            long hz = ContainmentLibC.INSTANCE.sysconf(ContainmentLibC.SC_CLK_TCK);
            return hz > 0 ? hz : 100;
        } catch (LinkageError e) {
            return 100;
        }
    }
}
