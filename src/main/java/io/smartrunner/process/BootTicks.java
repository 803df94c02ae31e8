package io.smartrunner.process;

import java.nio.file.Path;

/**
 * Now, in the unit of /proc/PID/stat's start time: clock ticks since boot (from /proc/uptime,
 * the same boot clock). Used to order session ends against orphans' start times.
 */
final class BootTicks {
    /** Clock ticks per second (sysconf(_SC_CLK_TCK), 100 almost everywhere). */
    static final long HZ = hz();
    private static final Path UPTIME = Path.of("/proc/uptime");
    private static final int UPTIME_BYTES = 64;

    private BootTicks() {
    }

    static long now() {
        byte[] buf = new byte[UPTIME_BYTES];
        long centis = ProcBytes.parseDecimal(buf, 0, ProcBytes.read(UPTIME, buf), 2); // "12345.67 ..."
        if (centis < 0) {
            throw new ProcessException("cannot read /proc/uptime");
        }
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
