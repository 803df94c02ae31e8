package io.smartrunner.process;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The posix_spawn calls made at every launch, bound with JNA's direct mapping: a {@link LibC}
 * interface call goes through a reflective proxy that converts each argument, which was a quarter
 * of the launch thread's CPU at fifteen calls per session. They all return an error number rather
 * than setting errno (but clock_gettime, read around each spawn by {@link BootTicks}); the buffers
 * they take come from a {@link SpawnArena}.
 */
final class SpawnLibC {
    static {
        Native.register(SpawnLibC.class, NativeLibrary.getInstance("c"));
    }

    private SpawnLibC() {
    }

    /** True once every call is bound; a glibc that lacks one fails the class's initialisation (a LinkageError). */
    static boolean linked() {
        return true;
    }

    static native int posix_spawn(Pointer pid, Pointer path, Pointer fileActions, Pointer attr, Pointer argv,
                                  Pointer envp);

    static native int posix_spawn_file_actions_init(Pointer fileActions);

    static native int posix_spawn_file_actions_destroy(Pointer fileActions);

    static native int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, Pointer path, int oflag, int mode);

    static native int posix_spawn_file_actions_addchdir_np(Pointer fileActions, Pointer path);

    /** glibc 2.34+: the child closes every descriptor from {@code lowFd} up before exec. */
    static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int lowFd);

    static native int posix_spawnattr_init(Pointer attr);

    static native int posix_spawnattr_destroy(Pointer attr);

    static native int posix_spawnattr_setflags(Pointer attr, short flags);

    static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    static native int sigemptyset(Pointer set);

    static native int sigfillset(Pointer set);

    /** {@code clock_gettime(2)}; {@code timespec} is {tv_sec, tv_nsec} (64-bit Linux). */
    static native int clock_gettime(int clockId, long[] timespec);
}
