package io.smartrunner.process;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.smartrunner.DaemonThreads;
import io.smartrunner.time.TimeSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reaps the posix_spawn launcher's children with one thread for all of them: each child's pidfd
 * goes into an epoll set, and a readable pidfd is waited for with {@code waitid(P_PIDFD)}, which
 * reaps exactly that child (never one the JDK started) and tells an exit code from a signal
 * (si_code CLD_EXITED vs CLD_KILLED/CLD_DUMPED). Linux 5.4+.
 *
 * <p>{@link #close} ends the thread through an eventfd in the same set: a JVM that exits waits up
 * to 300 ms for any thread still in a native call (HotSpot's {@code VM_Exit}), and this one waits
 * in {@code epoll_wait} for good. Every runner's stop took 0.3 s longer because of it.
 */
final class PidfdReaper {
    private static final int CLD_EXITED = 1;
    /** epoll_event is packed (12 bytes) on x86_64 and naturally aligned (16) elsewhere. */
    private static final int EVENT_BYTES = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
    private static final int DATA_OFFSET = EVENT_BYTES == 12 ? 4 : 8;
    private static final int MAX_EVENTS = 64;
    private static final int SIGINFO_BYTES = 128;

    private final LibC libc = LibC.INSTANCE;
    /** The reaper thread's alone. */
    private final ExitAge ages;
    private final int epoll;
    /** Readable once {@link #close} was called: the thread returns. */
    private final int closing;
    private final Thread thread;
    private final Map<Integer, Child> children = new ConcurrentHashMap<>();

    /** @param watchedNanos when watching began, just after the spawn: an exit age is capped there (a child that exited sooner is timed a little late, never before it started) */
    private record Child(long pid, CompletableFuture<ExitStatus> exit, long watchedNanos) {
    }

    PidfdReaper() {
        this(new ExitAge());
    }

    PidfdReaper(ExitAge ages) {
        this.ages = ages;
        epoll = libc.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (epoll < 0) {
            throw new ProcessException("epoll_create1: " + libc.strerror(Native.getLastError()));
        }
        closing = libc.eventfd(0, LibC.EFD_CLOEXEC);
        if (closing < 0) {
            String why = libc.strerror(Native.getLastError());
            libc.close(epoll);
            throw new ProcessException("eventfd: " + why);
        }
        register(closing);
        thread = DaemonThreads.daemon(this::loop, "sr-reaper");
        thread.start();
    }

    /**
     * Ends the reaper thread (waits up to {@code waitMs} for it) and closes its descriptors; the
     * children it watched are no longer reaped by it. For a process about to exit.
     *
     * @return whether the thread has ended
     */
    boolean close(long waitMs) throws InterruptedException {
        libc.write(closing, new long[] {1}, Long.BYTES);
        thread.join(waitMs);
        if (thread.isAlive()) {
            return false;
        }
        libc.close(closing);
        libc.close(epoll);
        return true;
    }

    /** Whether this kernel can open pidfds (Linux 5.3+) for our own pid. */
    static boolean supported() {
        long fd = LibC.INSTANCE.syscall(LibC.SYS_PIDFD_OPEN_X86_64, (int) ProcessHandle.current().pid(), 0);
        if (fd < 0) {
            return false;
        }
        LibC.INSTANCE.close((int) fd);
        return true;
    }

    /** Starts watching a child this process spawned; the future completes when it has been reaped. */
    CompletableFuture<ExitStatus> watch(long pid) {
        long fd = ReaperLibC.syscall(LibC.SYS_PIDFD_OPEN_X86_64, (int) pid, 0);
        if (fd < 0) {
            CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
            exit.completeExceptionally(new ProcessException("pidfd_open(" + pid + "): "
                    + libc.strerror(Native.getLastError())));
            return exit;
        }
        return watch(pid, (int) fd);
    }

    /** {@link #watch(long)} with the child's pidfd at hand (a clone made it): the reaper closes it once the child is reaped. */
    CompletableFuture<ExitStatus> watch(long pid, int pidfd) {
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        children.put(pidfd, new Child(pid, exit, TimeSource.system().nanoTime()));
        register(pidfd);
        return exit;
    }

    private void register(int fd) {
        int[] event = new int[EVENT_BYTES / Integer.BYTES];
        event[0] = LibC.EPOLLIN;
        event[DATA_OFFSET / Integer.BYTES] = fd; // the data's low half (little-endian); the high half stays 0
        if (ReaperLibC.epoll_ctl(epoll, LibC.EPOLL_CTL_ADD, fd, event) != 0) {
            throw new ProcessException("epoll_ctl: " + libc.strerror(Native.getLastError()));
        }
    }

    private void loop() {
        Memory events = new Memory((long) EVENT_BYTES * MAX_EVENTS);
        Memory info = new Memory(SIGINFO_BYTES);
        // Every child this wait reports exited at or after the previous wait began (or was watched
        // only after that): one that had exited before was ready then, and that wait took every ready
        // one unless it filled its array. How late an exit can have been noticed, without asking.
        long previousWaitBegan = Long.MIN_VALUE;
        while (true) {
            long waitBegins = TimeSource.system().nanoTime();
            int n = ReaperLibC.epoll_wait(epoll, events, MAX_EVENTS, -1);
            for (int i = 0; i < n; i++) {
                int fd = (int) events.getLong((long) i * EVENT_BYTES + DATA_OFFSET);
                if (fd == closing) {
                    return;
                }
                // epoll_wait sees fds added by other threads while it waits: no wake-up needed
                Child child = children.remove(fd);
                try {
                    reap(fd, child, info, previousWaitBegan);
                } catch (RuntimeException | Error e) {
                    // the one thread that reaps every child must outlive any one reap: were it to
                    // end, no session would ever be seen to exit again. This child was reaped (or
                    // its pidfd let go) in reap's finally; its session ends as lost track of.
                    if (child != null) {
                        child.exit().completeExceptionally(new ProcessException("reaping " + child.pid() + ": " + e));
                    }
                }
            }
            if (n >= 0) { // an interrupted wait took none: the bound stays
                previousWaitBegan = n < MAX_EVENTS ? waitBegins : Long.MIN_VALUE;
            }
        }
    }

    private void reap(int fd, Child child, Memory info, long exitedNotBefore) {
        // still a zombie: the kernel can say when it exited, however late this thread got to it
        long now = TimeSource.system().nanoTime();
        long exitedAt = now;
        int rc;
        int errno;
        try {
            if (child != null) {
                exitedAt = zombieNoted(child, fd, now, exitedNotBefore);
            }
        } finally {
            info.clear();
            rc = ReaperLibC.waitid(LibC.P_PIDFD, fd, info, LibC.WEXITED);
            errno = rc == 0 ? 0 : Native.getLastError();
            // before the close: a child spawned meanwhile may hold a copy of this pidfd until its exec, and
            // epoll keeps a registration while any copy is open; it would report this fd number again
            ReaperLibC.epoll_ctl(epoll, LibC.EPOLL_CTL_DEL, fd, null);
            ReaperLibC.close(fd);
        }
        if (child == null) {
            return;
        }
        if (rc != 0) {
            child.exit().completeExceptionally(new ProcessException("waitid(" + child.pid() + "): "
                    + libc.strerror(errno)));
            return;
        }
        int code = info.getInt(8);
        int status = info.getInt(24);
        child.exit().complete((code == CLD_EXITED ? ExitStatus.exited(status) : Signals.killedBy(status)).at(exitedAt));
    }

    /**
     * What can be read of the child while it is a zombie: when it exited, and whether it was in its
     * session's cgroup. Both are bookkeeping with a fallback that is always right, if less exact:
     * an exit timed at its reaping, and the cgroup asked at the exit. A failure here (say, a
     * /proc file in a form not met before) costs only that exactness, never the exit's status.
     *
     * @return when the child exited
     */
    private long zombieNoted(Child child, int fd, long now, long exitedNotBefore) {
        long exitedAt = now;
        try {
            exitedAt = ages.exitedAt(child.pid(), now, child.watchedNanos(), exitedNotBefore);
        } catch (RuntimeException e) {
            // timed at its reaping
        }
        try {
            Placement.exitedNotReaped(child.pid(), fd);
        } catch (RuntimeException e) {
            // as if its zombie was not seen: the exit reads the cgroup's cpu.stat instead
        }
        return exitedAt;
    }
}
