package io.smartrunner.process;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The calls {@link PidfdReaper} makes for every child (its pidfd opened and watched at the launch,
 * waited for, unwatched and closed at its exit), bound with JNA's direct mapping like
 * {@link SpawnLibC}: through {@link LibC}'s interface proxy, six calls a restart cost their
 * arguments' reflective conversion. On failure they return -1 and {@link Native#getLastError()}
 * holds errno.
 */
final class ReaperLibC {
    static {
        Native.register(ReaperLibC.class, NativeLibrary.getInstance("c"));
    }

    private ReaperLibC() {
    }

    /** {@code syscall(SYS_pidfd_open, pid, flags)}: glibc's own wrapper needs 2.36. */
    static native long syscall(long number, int pid, int flags);

    /** {@code event}: an epoll_event as ints (x86_64 packs it into 12 bytes: events, then the 8-byte data). */
    static native int epoll_ctl(int epfd, int op, int fd, int[] event);

    static native int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMs);

    static native int waitid(int idType, int id, Pointer info, int options);

    static native int close(int fd);
}
