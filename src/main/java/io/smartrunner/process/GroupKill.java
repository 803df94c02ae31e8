package io.smartrunner.process;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * {@code kill(2)} by JNA's direct mapping: a fleet's stop sends one per session at once, and a
 * direct call costs a fraction of an interface proxy's reflective one.
 */
final class GroupKill {
    static final int SIGTERM = 15;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private GroupKill() {
    }

    /** A negative pid names a process group; returns 0, or -1 with errno set. */
    static native int kill(int pid, int signal);
}
