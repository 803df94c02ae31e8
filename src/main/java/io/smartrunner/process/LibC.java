package io.smartrunner.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.Map;

/**
 * The glibc calls of the launcher and the reaper that are not made at every launch (those are
 * {@link SpawnLibC} and {@link ReaperLibC}), and the constants of all three. Opaque structures are passed as generously sized
 * native buffers.
 */
interface LibC extends Library {
    /** Bigger than posix_spawnattr_t (336 bytes on x86_64) and posix_spawn_file_actions_t (80). */
    int OPAQUE_BYTES = 1024;
    /** sigset_t is 128 bytes on Linux. */
    int SIGSET_BYTES = 128;
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    short POSIX_SPAWN_SETSID = 0x80;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0100;
    int O_APPEND = 02000;
    long SYS_PIDFD_OPEN_X86_64 = 434;
    int P_PIDFD = 3;
    int WEXITED = 4;
    int EPOLLIN = 1;
    int EPOLL_CTL_ADD = 1;
    int EPOLL_CTL_DEL = 2;
    int EPOLL_CLOEXEC = 02000000;
    int EFD_CLOEXEC = 02000000;
    short POLLIN = 1;

    /** Strings (paths, arguments) cross as UTF-8 whatever the locale, as Linux file names conventionally are. */
    LibC INSTANCE = Native.load("c", LibC.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    long syscall(long number, Object... args);

    int epoll_create1(int flags);

    int close(int fd);

    int eventfd(int initval, int flags);

    /** {@code value}: one counter (8 bytes) for an eventfd. */
    long write(int fd, long[] value, long count);

    int inotify_init1(int flags);

    int inotify_add_watch(int fd, String path, int mask);

    int inotify_rm_watch(int fd, int wd);

    long read(int fd, Pointer buffer, long count);

    /** {@code fds}: {@code nfds} struct pollfd (int fd, short events, short revents: 8 bytes each). */
    int poll(Pointer fds, long nfds, int timeoutMs);

    /** Sets the process's file mode creation mask; returns the previous one. Never fails. */
    int umask(int mask);

    String strerror(int errnum);
}
