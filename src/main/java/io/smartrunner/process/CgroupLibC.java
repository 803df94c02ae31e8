package io.smartrunner.process;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * {@code rmdir(2)} for a session's cgroup at its end, direct-mapped like {@link SpawnLibC}:
 * {@code Files.delete} first stats the path to tell a directory from a file, and on cgroupfs that
 * stat showed in as many of a crash loop's samples as the rmdir itself (3 % each; measured, it
 * saved a few microseconds a restart). On failure it returns -1 and {@link Native#getLastError()}
 * holds errno.
 */
final class CgroupLibC {
    static final int ENOENT = 2;

    static {
        Native.register(CgroupLibC.class, NativeLibrary.getInstance("c"));
    }

    private CgroupLibC() {
    }

    /** @param path NUL-terminated */
    static native int rmdir(byte[] path);
}
