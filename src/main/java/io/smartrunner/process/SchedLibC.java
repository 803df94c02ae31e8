package io.smartrunner.process;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The glibc calls {@link ExitAge} needs to read the scheduler clock of one given CPU. */
interface SchedLibC extends Library {
    /** cpu_set_t: 1024 CPUs, one bit each. */
    int CPU_SET_BYTES = 128;

    SchedLibC INSTANCE = Native.load("c", SchedLibC.class);

    /** The CPU the calling thread runs on, or -1. */
    int sched_getcpu();

    /** pid 0 is the calling thread; cpusetsize is a size_t. */
    int sched_getaffinity(int pid, long cpusetsize, Pointer mask);

    int sched_setaffinity(int pid, long cpusetsize, Pointer mask);

    int sched_yield();

    /** A cpu_set_t holding {@code cpu} alone (0 <= cpu < 1024). */
    static Memory only(int cpu) {
        Memory set = new Memory(CPU_SET_BYTES);
        set.clear();
        set.setByte(cpu / 8, (byte) (1 << (cpu % 8)));
        return set;
    }
}
