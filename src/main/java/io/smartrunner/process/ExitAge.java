package io.smartrunner.process;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * When a child that has exited but is not reaped yet (a zombie) exited, from the kernel rather
 * than from when the runner noticed: a runner frozen by SIGSTOP (or starved) notices late, and a
 * session's durMs must not include that. {@code se.exec_start} in {@code /proc/<pid>/sched} is the
 * scheduler clock when the task last ran, for a zombie its exit; the calling thread's own, right
 * after it was scheduled in, is "now" on that clock.
 * <p>
 * That clock is the runqueue's {@code clock_task}, one per CPU, which leaves out IRQ and (on a VM)
 * steal time as each CPU accrued them: two CPUs' values drift apart (~200 ms seen on a loaded VM),
 * and each drifts from CLOCK_MONOTONIC. So a zombie is aged on the clock of the CPU it last ran on
 * ({@code processor} in /proc/<pid>/stat), through that CPU's offset to CLOCK_MONOTONIC:
 * <ul>
 *   <li>a reading of the calling thread's own exec_start on a CPU (with CLOCK_MONOTONIC right
 *   after it) gives that CPU's offset;</li>
 *   <li>an offset is used as it is for a while: it drifts by that CPU's IRQ and steal time since.
 *   How long is learnt from the drift between two readings, so that it stays under half the
 *   noise bound (1 ms): {@link #windowFor}, between 10 ms and 1 s;</li>
 *   <li>then it is read again: where the thread runs, if that is the CPU; else the thread pins
 *   itself there for the reading.</li>
 * </ul>
 * Until the ninth session every exit whose zombie had run on another CPU pinned the reaper: two
 * migrations, half the reaper's CPU in a crash loop (0.12 ms an exit). With the offsets an exit
 * costs two /proc reads, and the reaper pins itself at most once per CPU and window. Those reads
 * are skipped when the runner cannot have noticed the exit later than {@link #tolerance} allows:
 * the reaper knows its previous look at the children began a moment ago (see
 * {@link #exitedAt(long, long, long, long)}); in a fleet of 2 s sessions that is nearly every exit,
 * and the reads (and the kernel's invalidation of the dentries they made) were a third of the
 * reaper's CPU. Whatever fails (no
 * CONFIG_SCHED_DEBUG, the affinity refused, the CPU offline) answers "just now", the caller's own
 * observation: never a difference across CPUs. One instance per thread (the reaper's): not
 * thread-safe.
 */
class ExitAge {
    private static final byte[] FIELD_BYTES = "se.exec_start".getBytes(StandardCharsets.US_ASCII);
    /** se.exec_start is the third line of /proc/<pid>/sched, within its first 200 bytes. */
    private static final int SCHED_BYTES = 512;
    /** Below this an age is scheduler noise (a tick, the reading itself), not a late observation. */
    static final long NOISE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** The tolerance is a session's length divided by this (1 %), between the noise bound and {@link #MAX_TOLERANCE_NANOS}. */
    static final long TOLERANCE_SHARE = 100;
    static final long MAX_TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long a CPU's clock offset is used without reading it again: at least, at first, at most. */
    static final long MIN_FRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The drift allowed to accrue while an offset is used (half the noise bound). */
    private static final long DRIFT_NANOS = NOISE_NANOS / 2;
    private static final Path SELF = Path.of("/proc/thread-self/sched");
    private static final int MAX_CPUS = SchedLibC.CPU_SET_BYTES * 8;

    private final SchedLibC sched = SchedLibC.INSTANCE;
    private final long minFreshNanos;
    /** Per CPU: CLOCK_MONOTONIC minus its clock_task, when that was read, and for how long it serves (0: never read). */
    private final long[] offsets = new long[MAX_CPUS];
    private final long[] readAt = new long[MAX_CPUS];
    private final long[] fresh = new long[MAX_CPUS];
    private long pinned;
    private long readings;

    ExitAge() {
        this(MIN_FRESH_NANOS);
    }

    /** @param minFreshNanos how long a CPU's offset serves at first and at least (tests) */
    ExitAge(long minFreshNanos) {
        this.minFreshNanos = minFreshNanos;
    }

    /**
     * When the zombie {@code pid} exited, on System.nanoTime's clock: {@code nowNanos} when the
     * kernel does not say or the difference is within the {@link #tolerance}, never before
     * {@code sinceNanos} (its launch). Call before reaping it.
     */
    long exitedAt(long pid, long nowNanos, long sinceNanos) {
        return exitedAt(pid, nowNanos, sinceNanos, Long.MIN_VALUE);
    }

    /**
     * {@link #exitedAt(long, long, long)} when the caller knows the child exited at or after
     * {@code notBeforeNanos} (or was watched only after it): the reaper's previous {@code epoll_wait}
     * began then and found it still running. If that and {@code sinceNanos} leave less than the
     * tolerance for the exit to have been noticed late, the kernel is not asked.
     */
    long exitedAt(long pid, long nowNanos, long sinceNanos, long notBeforeNanos) {
        long tolerance = tolerance(nowNanos - sinceNanos);
        long unseen = nowNanos - Math.max(sinceNanos, notBeforeNanos);
        if (unseen >= 0 && unseen < tolerance) {
            // whatever the kernel says, within the tolerance of now: in a crash loop (children that
            // live half a millisecond) and in a busy fleet this spares two /proc reads per exit
            return nowNanos;
        }
        readings++;
        Path proc = Path.of("/proc", Long.toString(pid));
        int cpu = lastCpu(proc.resolve("stat"));
        long exited = cpu < 0 || cpu >= MAX_CPUS ? -1 : execStartNanos(proc.resolve("sched"));
        if (exited < 0) {
            return nowNanos;
        }
        // an offset read for this exit is used however long ago that reading ended: the exit came
        // before it, and a thread descheduled between the reading and this line (a loaded host,
        // a starved runner: what the age is for) would otherwise find it already stale and date
        // the exit "just now" (read here if the thread is on `cpu` already, else pinned there a moment)
        if (!fresh(cpu) && readHere() != cpu && !readOn(cpu)) {
            return nowNanos;
        }
        long at = exited + offsets[cpu];
        long age = nowNanos - at;
        return age < tolerance ? nowNanos : Math.max(at, sinceNanos);
    }

    /**
     * How late an exit may be noticed and still count as noticed at once, for a child watched for
     * {@code watchedNanos}: the noise bound, or 1 % of that up to {@link #MAX_TOLERANCE_NANOS}.
     * A freeze of the runner (what the age is for) lasts longer; a session of 2 s may be timed up
     * to 20 ms long, a crash loop's children to 2 ms, as before.
     */
    static long tolerance(long watchedNanos) {
        if (watchedNanos <= 0) {
            return NOISE_NANOS; // unknown (or a clock that went backwards)
        }
        return Math.max(NOISE_NANOS, Math.min(MAX_TOLERANCE_NANOS, watchedNanos / TOLERANCE_SHARE));
    }

    /** How many zombies' clocks were read (tests). */
    long readings() {
        return readings;
    }

    private boolean fresh(int cpu) {
        return fresh[cpu] != 0 && System.nanoTime() - readAt[cpu] <= fresh[cpu];
    }

    /**
     * How long the next offset of a CPU serves: as long as keeps its drift, at the rate seen between
     * its last two readings, under {@link #DRIFT_NANOS}; between {@code least} and
     * {@link #MAX_FRESH_NANOS}, and at most twice the last window (a calm spell grows it slowly,
     * a drift shrinks it at once).
     *
     * @param drift   how far the offset moved between the two readings
     * @param between how far apart the readings were
     */
    static long windowFor(long drift, long between, long last, long least) {
        long window = drift == 0 ? MAX_FRESH_NANOS
                : (long) Math.min(MAX_FRESH_NANOS, (double) DRIFT_NANOS * between / Math.abs(drift));
        return Math.max(least, Math.min(window, 2 * last));
    }

    /** How many readings needed the thread pinned to another CPU (tests). */
    long pinnedReadings() {
        return pinned;
    }

    /** Renews the offset of the CPU this thread runs on, if it stays there for the reading: that CPU, or -1. */
    private int readHere() {
        int cpu = sched.sched_getcpu();
        if (cpu < 0 || cpu >= MAX_CPUS) {
            return -1;
        }
        long start = execStartNanos(SELF);
        long now = System.nanoTime();
        // exec_start is set whenever the thread is scheduled in: on `cpu` before and after the
        // read, it is that CPU's clock even if the thread went away and came back in between
        if (start > 0 && sched.sched_getcpu() == cpu) {
            long offset = now - start;
            fresh[cpu] = fresh[cpu] != 0 ? windowFor(offset - offsets[cpu], now - readAt[cpu], fresh[cpu], minFreshNanos)
                    : minFreshNanos;
            offsets[cpu] = offset;
            readAt[cpu] = now;
            return cpu;
        }
        return -1;
    }

    /** Renews {@code cpu}'s offset by pinning the thread there for one reading: whether it did. */
    private boolean readOn(int cpu) {
        Memory saved = new Memory(SchedLibC.CPU_SET_BYTES);
        if (sched.sched_getaffinity(0, SchedLibC.CPU_SET_BYTES, saved) != 0) {
            return false;
        }
        try {
            // moving there schedules the thread in on `cpu`: its exec_start is then that CPU's
            // clock (a sched_yield on top would wait out a whole slice behind whatever runs there)
            if (sched.sched_setaffinity(0, SchedLibC.CPU_SET_BYTES, SchedLibC.only(cpu)) == 0) {
                pinned++;
                return readHere() == cpu;
            }
            return false;
        } finally {
            sched.sched_setaffinity(0, SchedLibC.CPU_SET_BYTES, saved);
        }
    }

    /** Field 39 of /proc/<pid>/stat, the CPU the task last ran on, or -1. Counted after the last ')', as comm may hold any. */
    static int lastCpu(Path stat) {
        byte[] buf = new byte[ProcFs.STAT_BYTES];
        long cpu = ProcBytes.statField(buf, ProcBytes.read(stat, buf), 39);
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
