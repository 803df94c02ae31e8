package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reading the scheduler clock and the last CPU out of /proc, and the real kernel: a zombie that
 * exited on one CPU, aged from a thread on the other. Each CPU's scheduler clock drifts from the
 * other's, so a cross-CPU difference is off by that drift (~200 ms on this VM); one direction or
 * the other shows it.
 */
class ExitAgeTest {
    private static final long WAIT_MS = 300;

    @TempDir
    Path dir;

    @Test
    void execStartIsReadInNanosecondsAndAnythingElseIsUnknown() throws Exception {
        Path sched = dir.resolve("sched");
        Files.writeString(sched, """
                sleep (10617, #threads: 1)
                -------------------------------------------------------------------
                se.exec_start                                :        163089.789310
                se.vruntime                                  :         95581.215173
                """);
        assertEquals(163_089_789_310L, ExitAge.execStartNanos(sched));
        Files.writeString(sched, "se.exec_start : 12.5\n");
        assertEquals(12_500_000L, ExitAge.execStartNanos(sched));
        Files.writeString(sched, "se.exec_start : 12\n");
        assertEquals(12_000_000L, ExitAge.execStartNanos(sched), "no fraction");
        Files.writeString(sched, "se.exec_start : 1.12345678\n");
        assertEquals(1_123_456L, ExitAge.execStartNanos(sched), "nanoseconds at most");
        Files.writeString(sched, "se.exec_start : -\n");
        assertEquals(-1, ExitAge.execStartNanos(sched), "no number");
        Files.writeString(sched, "se.exec_start : 99999999999999999999.5\n");
        assertEquals(-1, ExitAge.execStartNanos(sched), "too large");
        Files.writeString(sched, "no such field\n");
        assertEquals(-1, ExitAge.execStartNanos(sched));
        assertEquals(-1, ExitAge.execStartNanos(dir.resolve("missing")));
        assertEquals(5, new ExitAge().exitedAt(Integer.MAX_VALUE, 5, 0), "no such process: as if it exited just now");
    }

    @Test
    void anOffsetServesAsLongAsItsDriftStaysUnderAMillisecondBetween10MsAnd1s() {
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        assertEquals(20 * ms, ExitAge.windowFor(0, 10 * ms, 10 * ms, 10 * ms), "no drift: twice the last window");
        assertEquals(1000 * ms, ExitAge.windowFor(0, 10 * ms, 800 * ms, 10 * ms), "at most a second");
        assertEquals(100 * ms, ExitAge.windowFor(ms / 10, 10 * ms, 500 * ms, 10 * ms),
                "1 % drift: 100 ms keep it under 1 ms");
        assertEquals(20 * ms, ExitAge.windowFor(-ms / 10, 10 * ms, 10 * ms, 10 * ms), "either way; grows slowly");
        assertEquals(10 * ms, ExitAge.windowFor(5 * ms, 10 * ms, 500 * ms, 10 * ms), "50 % drift: the least window");
    }

    @Test
    void theLastCpuIsField39CountedAfterTheLastParenthesis() throws Exception {
        Path stat = dir.resolve("stat");
        StringBuilder fields = new StringBuilder("Z"); // field 3, the state
        for (int field = 4; field <= 52; field++) {
            fields.append(' ').append(field == 39 ? 7 : field);
        }
        Files.writeString(stat, "4242 (a) 1 2 ) " + fields + "\n");
        assertEquals(7, ExitAge.lastCpu(stat), "comm 'a) 1 2 ' with spaces and ')'");
        Files.writeString(stat, "4242 (sh) S 1 2 3\n");
        assertEquals(-1, ExitAge.lastCpu(stat), "too few fields");
        assertEquals(-1, ExitAge.lastCpu(dir.resolve("missing")));
    }

    @ParameterizedTest(name = "child on CPU {0}, reader on CPU {1}")
    @CsvSource({"1, 0", "0, 1"})
    void aZombieIsAgedOnTheClockOfTheCpuItExitedOn(int childCpu, int readerCpu) throws Exception {
        ExitAge ages = new ExitAge();
        onCpu(readerCpu, pinned -> {
            long zombie = zombieOn(childCpu);
            Thread.sleep(WAIT_MS); // how long ago it exited is what is measured
            long now = System.nanoTime();
            long ageMs = TimeUnit.NANOSECONDS.toMillis(now - ages.exitedAt(zombie, now, Long.MIN_VALUE));
            assertTrue(ageMs >= WAIT_MS - 50 && ageMs <= 2_000, "a zombie that exited on CPU " + childCpu
                    + " > " + WAIT_MS + " ms ago, aged from CPU " + readerCpu + ": " + ageMs + " ms");
            assertEquals(1, ages.pinnedReadings(), "CPU " + childCpu + "'s clock read there once");
            assertEquals(cpusAllowed(pinned), cpusAllowed(Files.readString(Path.of("/proc/thread-self/status"))),
                    "the reading thread's affinity is restored");
            now = System.nanoTime();
            assertTrue(ages.exitedAt(zombie, now, now - TimeUnit.MILLISECONDS.toNanos(100))
                    >= now - TimeUnit.MILLISECONDS.toNanos(100), "never before the caller's bound");
            reap(zombie);
        });
    }

    @Test
    void aCpusClockOffsetReadRecentlyAgesTheNextZombieWithoutPinningAgain() throws Exception {
        ExitAge ages = new ExitAge(TimeUnit.SECONDS.toNanos(30)); // every offset stays fresh in this test
        onCpu(0, pinned -> {
            long first = zombieOn(1);
            long now = System.nanoTime();
            ages.exitedAt(first, now, Long.MIN_VALUE);
            assertEquals(1, ages.pinnedReadings(), "CPU 1's offset read there");
            reap(first);

            long second = zombieOn(1);
            Thread.sleep(WAIT_MS);
            now = System.nanoTime();
            long ageMs = TimeUnit.NANOSECONDS.toMillis(now - ages.exitedAt(second, now, Long.MIN_VALUE));
            assertEquals(1, ages.pinnedReadings(), "the offset read a moment ago serves");
            assertTrue(ageMs >= WAIT_MS - 50 && ageMs <= 2_000, "aged through CPU 1's offset: " + ageMs + " ms");
            reap(second);
        });
    }

    @Test
    void aChildWatchedForLessThanTheNoiseBoundIsAgedNowWithoutReadingItsClock() throws Exception {
        ExitAge ages = new ExitAge();
        onCpu(0, pinned -> {
            long zombie = zombieOn(1);
            Thread.sleep(WAIT_MS); // the kernel would say it exited that long ago
            long now = System.nanoTime();
            assertEquals(now, ages.exitedAt(zombie, now, now - TimeUnit.MILLISECONDS.toNanos(1)));
            assertEquals(0, ages.pinnedReadings(), "no CPU's clock read");
            reap(zombie);
        });
    }

    @Test
    void theToleranceIsTheNoiseBoundOrOnePerCentOfTheSessionUpTo20Ms() {
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        assertEquals(2 * ms, ExitAge.tolerance(ms / 2), "a crash loop's child");
        assertEquals(2 * ms, ExitAge.tolerance(150 * ms), "1 % of 150 ms is under the noise bound");
        assertEquals(5 * ms, ExitAge.tolerance(500 * ms));
        assertEquals(20 * ms, ExitAge.tolerance(2_000 * ms), "a fleet's 2 s session");
        assertEquals(20 * ms, ExitAge.tolerance(TimeUnit.HOURS.toNanos(1)), "at most 20 ms");
        assertEquals(2 * ms, ExitAge.tolerance(-ms), "a clock that went backwards");
        assertEquals(2 * ms, ExitAge.tolerance(0L - Long.MIN_VALUE), "no launch time (overflows)");
    }

    @Test
    void anExitThatCannotHaveBeenNoticedLateIsDatedNowWithoutReadingTheKernel() throws Exception {
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        ExitAge ages = new ExitAge();
        onCpu(0, pinned -> {
            long zombie = zombieOn(1);
            Thread.sleep(WAIT_MS); // the kernel would say it exited that long ago
            long now = System.nanoTime();
            long launched = now - 10_000 * ms; // a 10 s session: 20 ms of tolerance
            assertEquals(now, ages.exitedAt(zombie, now, launched, now - 15 * ms),
                    "the reaper's previous wait began 15 ms ago and found it running");
            assertEquals(0, ages.readings(), "no zombie's clock read");

            long shortLived = now - 400 * ms; // 4 ms of tolerance
            long agedShort = ages.exitedAt(zombie, now, shortLived, now - 15 * ms);
            assertEquals(1, ages.readings(), "15 ms could hide a late notice of a 400 ms session: read");
            assertTrue(now - agedShort >= TimeUnit.MILLISECONDS.toNanos(WAIT_MS - 50),
                    "aged by the kernel: " + (now - agedShort) / ms + " ms");

            long aged = ages.exitedAt(zombie, now, launched, now - 25 * ms);
            assertEquals(2, ages.readings(), "25 ms is more than the tolerance: read");
            assertTrue(now - aged >= TimeUnit.MILLISECONDS.toNanos(WAIT_MS - 50), "aged: " + (now - aged) / ms + " ms");
            long unbounded = ages.exitedAt(zombie, now, launched, Long.MIN_VALUE);
            assertEquals(3, ages.readings(), "no bound: read");
            // the same answer, but for a CPU's offset read again meanwhile (the thread descheduled 10 ms)
            assertTrue(Math.abs(unbounded - aged) < ms, "no bound: " + (now - unbounded) / ms + " ms, as before");
            reap(zombie);
        });
    }

    private interface OnCpu {
        void run(String statusWhilePinned) throws Exception;
    }

    /** Runs {@code body} on the test thread pinned to {@code cpu}, then restores its affinity. */
    private static void onCpu(int cpu, OnCpu body) throws Exception {
        assumeTrue(Files.readString(Path.of("/sys/devices/system/cpu/online")).strip().startsWith("0-"),
                "needs CPUs 0 and 1");
        assumeTrue(ExitAge.execStartNanos(Path.of("/proc/thread-self/sched")) > 0, "needs CONFIG_SCHED_DEBUG");
        SchedLibC sched = SchedLibC.INSTANCE;
        Memory saved = new Memory(SchedLibC.CPU_SET_BYTES);
        assertEquals(0, sched.sched_getaffinity(0, SchedLibC.CPU_SET_BYTES, saved));
        assertEquals(0, sched.sched_setaffinity(0, SchedLibC.CPU_SET_BYTES, SchedLibC.only(cpu)));
        try {
            body.run(Files.readString(Path.of("/proc/thread-self/status")));
        } finally {
            sched.sched_setaffinity(0, SchedLibC.CPU_SET_BYTES, saved);
        }
    }

    /** A child that exited on {@code cpu} and is not reaped yet. */
    private static long zombieOn(int cpu) throws Exception {
        long zombie = spawn("/usr/bin/taskset", "taskset", "-c", Integer.toString(cpu), "/bin/sh", "-c", "exit 0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(Path.of("/proc", Long.toString(zombie), "stat")).contains(") Z ")) {
            assertTrue(System.nanoTime() < deadline, "child " + zombie + " did not exit");
            Thread.sleep(5);
        }
        assertEquals(cpu, ExitAge.lastCpu(Path.of("/proc", Long.toString(zombie), "stat")));
        return zombie;
    }

    private static void reap(long pid) {
        ContainmentLibC.INSTANCE.waitid(ContainmentLibC.P_PID, (int) pid, new Memory(128), ContainmentLibC.WEXITED);
    }

    /** posix_spawn, not ProcessBuilder: the JDK would reap the child at once, and the zombie is the point. */
    private static long spawn(String path, String... argv) {
        SpawnArena arena = SpawnArena.sizedFor(List.of(path), List.of(List.of(argv), List.of("PATH=/usr/bin:/bin")),
                Integer.BYTES);
        Pointer pid = arena.bytes(Integer.BYTES);
        int rc = SpawnLibC.posix_spawn(pid, arena.string(path), null, null, arena.array(List.of(argv)),
                arena.array(List.of("PATH=/usr/bin:/bin")));
        assertEquals(0, rc, "posix_spawn " + path);
        return pid.getInt(0);
    }

    private static String cpusAllowed(String status) {
        return status.lines().filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow();
    }
}
