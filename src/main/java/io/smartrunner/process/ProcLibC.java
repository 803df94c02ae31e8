package io.smartrunner.process;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * {@code open}, {@code read} and {@code close} for {@link ProcBytes} (and a cgroup's directory for
 * {@link NativeSpawn}), direct-mapped like
 * {@link SpawnLibC}. On failure they return -1 and {@link Native#getLastError()} holds errno.
 */
final class ProcLibC {
    static final int O_RDONLY = 0;
    static final int O_DIRECTORY = 0200000;
    static final int O_CLOEXEC = 02000000;

    static {
        Native.register(ProcLibC.class, NativeLibrary.getInstance("c"));
    }

    private ProcLibC() {
    }

    /** @param path NUL-terminated */
    static native int open(byte[] path, int flags);

    /** Reads into the start of {@code buf} (JNA copies the array in and back). */
    static native long read(int fd, byte[] buf, long count);

    static native int close(int fd);
}
