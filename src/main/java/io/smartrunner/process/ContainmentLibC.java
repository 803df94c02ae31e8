package io.smartrunner.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.Map;

/**
 * The glibc calls containment needs: {@code prctl(PR_SET_CHILD_SUBREAPER)}, a non-blocking
 * {@code waitid(P_PID)} for adopted orphans, {@code sysconf} for the clock tick (the boot
 * clock itself is read through {@link SpawnLibC}), {@code kill} for a
 * session's whole process group, and a directory fd for {@code CLONE_INTO_CGROUP}. Kept apart from {@link LibC}, the launcher's own calls.
 */
interface ContainmentLibC extends Library {
    int PR_SET_CHILD_SUBREAPER = 36;
    int PR_GET_CHILD_SUBREAPER = 37;
    int P_PID = 1;
    int WEXITED = 4;
    int WNOHANG = 1;
    int SC_CLK_TCK = 2;
    int O_RDONLY = 0;
    int O_DIRECTORY = 0200000;
    int O_CLOEXEC = 02000000;
    int SIGTERM = 15;
    /** glibc 2.41+: spawn the child straight into the cgroup set by posix_spawnattr_setcgroup_np. */
    short POSIX_SPAWN_SETCGROUP = 0x100;

    ContainmentLibC INSTANCE = Native.load("c", ContainmentLibC.class,
            Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int waitid(int idType, int id, Pointer info, int options);

    long sysconf(int name);

    /** {@code kill(2)}: a negative pid names a process group (a stop's first SIGTERM). */
    int kill(int pid, int signal);

    int open(String path, int flags);

    int close(int fd);

    int posix_spawnattr_getflags(Pointer attr, Pointer flags);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    String strerror(int errnum);
}
