package io.smartrunner.process;

import java.nio.file.Path;

/**
 * Now, in the unit of /proc/PID/stat's start time: clock ticks since boot (CLOCK_BOOTTIME, the
 * clock /proc/uptime shows). Used to order session ends against orphans' start times: read at
 * every session's end, so with one call, not /proc/uptime's open, read and close (the value is
 * the one /proc/uptime would give).
 */
final class BootTicks {
    /** Clock ticks per second (sysconf(_SC_CLK_TCK), 100 almost everywhere). */
    static final long HZ = hz();
    private static final Path UPTIME = Path.of("/proc/uptime");
    private static final int UPTIME_BYTES = 64;

    private BootTicks() {
    }

    static long now() {
        long[] timespec = new long[2];
        try {
            if (ContainmentLibC.INSTANCE.clock_gettime(ContainmentLibC.CLOCK_BOOTTIME, timespec) == 0) {
                return ticks(timespec[0] * 100 + timespec[1] / 10_000_000);
            }
        } catch (LinkageError e) {
            // no such call here: the file
        }
        return fromUptime();
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
