package io.smartrunner.process;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How long ago a child that has exited but is not reaped yet (a zombie) exited, from the kernel
 * rather than from when the runner noticed: a runner frozen by SIGSTOP (or starved) notices late,
 * and a session's durMs must not include that. {@code se.exec_start} in {@code /proc/<pid>/sched}
 * is the scheduler clock when the task last ran, for a zombie its exit; the calling thread's own,
 * right after it was scheduled in, is "now".
 * <p>
 * That clock is the runqueue's {@code clock_task}, one per CPU, which leaves out IRQ and (on a VM)
 * steal time as each CPU accrued them: two CPUs' values drift apart (~200 ms seen on a loaded VM).
 * So "now" is read on the CPU the zombie last ran on ({@code processor} in /proc/<pid>/stat),
 * pinning the calling thread there for the reading. Whatever fails (no CONFIG_SCHED_DEBUG, the
 * affinity refused, the CPU offline) answers 0, "just now", the caller's own observation: never a
 * difference across CPUs.
 */
final class ExitAge {
    private static final byte[] FIELD_BYTES = "se.exec_start".getBytes(StandardCharsets.US_ASCII);
    /** se.exec_start is the third line of /proc/<pid>/sched, within its first 200 bytes. */
    private static final int SCHED_BYTES = 512;
    /** Below this an age is scheduler noise (a tick, the reading itself), not a late observation. */
    static final long NOISE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final Path SELF = Path.of("/proc/thread-self/sched");

    private ExitAge() {
    }

    /**
     * Nanoseconds since the zombie {@code pid} exited, at most {@code maxNanos} (the time since it
     * was launched); 0 when the kernel does not say or the age is noise. Call before reaping it.
     */
    static long nanosAgo(long pid, long maxNanos) {
        Path proc = Path.of("/proc", Long.toString(pid));
        int cpu = lastCpu(proc.resolve("stat"));
        long exited = cpu < 0 ? -1 : execStartNanos(proc.resolve("sched"));
        long now = exited < 0 ? -1 : execStartNanosOn(cpu);
        long age = now < 0 ? 0 : now - exited;
        return age < NOISE_NANOS ? 0 : Math.min(age, Math.max(0, maxNanos));
    }

    /** The calling thread's se.exec_start read while it runs on {@code cpu}, or -1. */
    private static long execStartNanosOn(int cpu) {
        SchedLibC sched = SchedLibC.INSTANCE;
        if (cpu >= SchedLibC.CPU_SET_BYTES * 8) {
            return -1;
        }
        if (sched.sched_getcpu() == cpu) {
            long now = execStartNanos(SELF);
            // exec_start is set whenever the thread is scheduled in: on `cpu` before and after the
            // read, it is that CPU's clock even if the thread went away and came back in between
            if (sched.sched_getcpu() == cpu) {
                return now;
            }
        }
        Memory saved = new Memory(SchedLibC.CPU_SET_BYTES);
        if (sched.sched_getaffinity(0, SchedLibC.CPU_SET_BYTES, saved) != 0) {
            return -1;
        }
        try {
            if (sched.sched_setaffinity(0, SchedLibC.CPU_SET_BYTES, SchedLibC.only(cpu)) != 0) {
                return -1;
            }
            sched.sched_yield(); // scheduled in (or its clock updated) on `cpu`, which it can no longer leave
            return sched.sched_getcpu() == cpu ? execStartNanos(SELF) : -1;
        } finally {
            sched.sched_setaffinity(0, SchedLibC.CPU_SET_BYTES, saved);
        }
    }

    /** Field 39 of /proc/<pid>/stat, the CPU the task last ran on, or -1. Counted after the last ')', as comm may hold any. */
    static int lastCpu(Path stat) {
        byte[] buf = new byte[ProcFs.STAT_BYTES];
        int n = ProcBytes.read(stat, buf);
        int i = n;
        while (--i >= 0 && buf[i] != ')') {
            // the last ')' ends comm
        }
        if (i < 0) {
            return -1;
        }
        // the space before field 3 (the state) comes right after ')', the space before field 39 is the 37th
        for (int field = 3; field <= 39; field++) {
            i = ProcBytes.indexOf(buf, n, (byte) ' ', i + 1);
            if (i < 0) {
                return -1;
            }
        }
        long cpu = ProcBytes.parseDecimal(buf, i + 1, n, 0);
        return cpu < 0 || cpu > Integer.MAX_VALUE ? -1 : (int) cpu;
    }

    /** se.exec_start ("163089.789310", in ms) as nanoseconds, or -1. */
    static long execStartNanos(Path sched) {
        // the field is on the third line: the first few hundred bytes hold it
        byte[] buf = new byte[SCHED_BYTES];
        int n = ProcBytes.read(sched, buf);
        int at = ProcBytes.indexOf(buf, n, FIELD_BYTES, 0);
        int colon = at < 0 ? -1 : ProcBytes.indexOf(buf, n, (byte) ':', at + FIELD_BYTES.length);
        if (colon < 0) {
            return -1;
        }
        int i = colon + 1;
        while (i < n && buf[i] == ' ') {
            i++;
        }
        return ProcBytes.parseDecimal(buf, i, n, 6);
    }
}
