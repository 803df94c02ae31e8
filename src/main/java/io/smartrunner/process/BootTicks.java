package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Now, in the unit of /proc/PID/stat's start time: clock ticks since boot (from /proc/uptime,
 * the same boot clock). Used to order session ends against orphans' start times.
 */
final class BootTicks {
    /** Clock ticks per second (sysconf(_SC_CLK_TCK), 100 almost everywhere). */
    static final long HZ = hz();

    private BootTicks() {
    }

    static long now() {
        try {
            String uptime = Files.readString(Path.of("/proc/uptime")).trim();
            double seconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            // rounded up: a session's end is never placed before an orphan that started in the same tick
            return (long) Math.ceil(seconds * HZ);
        } catch (IOException | RuntimeException e) {
            throw new ProcessException("cannot read /proc/uptime: " + e.getMessage(), e);
        }
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
