package io.smartrunner.process;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.smartrunner.DaemonThreads;
import io.smartrunner.time.TimeSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tells a quiet session's log when its file is next written, so that the polls of a session that
 * prints nothing make no system call: a one-shot inotify watch per quiet file, armed by the log's
 * own poll once a poll found the file unchanged, and read by the next polls. 200 idle sessions'
 * logs were 400 {@code stat}s every 5 s: half of an idle runner's CPU. Where inotify is missing or
 * out of watches, a log is polled as before (said once).
 *
 * <p>A thread of its own ({@code sr-log-watch}, asleep in {@code poll(2)} on the instance) also
 * reads each event as it comes and tells the log at once, whose owner then polls it soon
 * ({@link SessionLog#onTouched}): quiet sessions are polled seldom (every 5 s), and a child that
 * began to write flat out after a quiet spell grew its log to 1.86 GB against a 1 MiB cap before
 * its next poll (reviewer R9). Thread-safe; not final only so that a test can write into the
 * instant before a watch.
 */
public class QuietLogWatch {
    private static final int IN_MODIFY = 0x2;
    private static final int IN_ATTRIB = 0x4;
    private static final int IN_DELETE_SELF = 0x400;
    private static final int IN_MOVE_SELF = 0x800;
    private static final int IN_Q_OVERFLOW = 0x4000;
    private static final int IN_ONESHOT = 0x80000000;
    private static final int IN_NONBLOCK = 04000;
    private static final int IN_CLOEXEC = 02000000;
    /** Written, truncated, chmod-ed or unlinked, moved, deleted: anything makes the next poll look. */
    private static final int MASK = IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONESHOT;
    private static final int ENOSPC = 28;
    private static final int ENOMEM = 12;
    private static final int EINTR = 4;
    private static final long POLLFD_BYTES = 8;
    /** wd, mask, cookie, len: then len bytes of name (none for a watched file). */
    private static final int EVENT_HEADER = 16;
    private static final int BUFFER_BYTES = 16 * 1024;
    /**
     * Polls of many sessions in one look share one read of the pending events. Short, since a
     * poll may answer from a read this old: a hang check then misses a line written this late,
     * as a {@code stat} made this much earlier would have.
     */
    private static final long DRAIN_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final QuietLogWatch SHARED = new QuietLogWatch(TimeSource.system());

    private final TimeSource time;
    /** Bound at the first arm: a runner whose sessions never go quiet never binds inotify. */
    private LibC libc;
    private final Map<Integer, SessionLog> armed = new HashMap<>();
    /** -2 until the first arm opens it; -1 when inotify cannot be had here. */
    private int fd = -2;
    private Memory buffer;
    private long drainedAt;
    private boolean drained;
    private boolean saidPolled;
    /** An eventfd that ends the waker's {@code poll(2)} ({@link #endWaker}); -1 without a waker. */
    private int ending = -1;
    private Thread waker;

    /** Whether its instance gets a thread that tells each log at once ({@link #startWaker}). */
    private final boolean woken;

    QuietLogWatch(TimeSource time) {
        this(time, true);
    }

    /** {@code woken} false: a touched log is told at its next poll alone (a test's watch, as where no eventfd can be had). */
    QuietLogWatch(TimeSource time, boolean woken) {
        this.time = time;
        this.woken = woken;
    }

    /** The one watch of this process; its inotify instance is opened at the first quiet log. */
    static QuietLogWatch shared() {
        return SHARED;
    }

    /**
     * Watches {@code file} for {@code log} until it is next touched.
     *
     * @return the watch's descriptor, or -1 when the log must be polled (no inotify, no file)
     */
    synchronized int arm(Path file, SessionLog log) {
        if (fd == -2) {
            open();
        }
        if (fd < 0) {
            return -1;
        }
        int wd = libc.inotify_add_watch(fd, file.toAbsolutePath().toString(), MASK);
        if (wd < 0) {
            int errno = Native.getLastError();
            if (errno == ENOSPC || errno == ENOMEM) {
                sayPolled("inotify_add_watch " + file + ": " + libc.strerror(errno)
                        + " (raise fs.inotify.max_user_watches)");
            }
            return -1;
        }
        armed.put(wd, log);
        return wd;
    }

    /** {@code log} no longer needs telling (its session ended, or it was written meanwhile). */
    synchronized void disarm(int wd, SessionLog log) {
        if (armed.remove(wd, log)) {
            libc.inotify_rm_watch(fd, wd); // EINVAL when the one-shot fired already: nothing to undo
        }
    }

    /** Reads what happened to the watched files since, unless another poll just did. */
    void drain() {
        drain(false);
    }

    /** {@link #drain()}; {@code now}: even if another poll just did (the waker, told there is something to read). */
    private synchronized void drain(boolean now) {
        long nanos = time.nanoTime();
        if (fd < 0 || (!now && drained && nanos - drainedAt < DRAIN_GAP_NANOS)) {
            return;
        }
        drained = true;
        drainedAt = nanos;
        while (true) {
            long n = libc.read(fd, buffer, BUFFER_BYTES);
            if (n <= 0) {
                return; // EAGAIN: nothing more (EINTR: the next poll reads again)
            }
            for (long at = 0; at + EVENT_HEADER <= n; at += EVENT_HEADER + buffer.getInt(at + 12)) {
                int wd = buffer.getInt(at);
                if ((buffer.getInt(at + 4) & IN_Q_OVERFLOW) != 0) {
                    wakeAll();
                    continue;
                }
                SessionLog log = armed.remove(wd);
                if (log != null) {
                    log.touched();
                }
            }
        }
    }

    /** Closes its inotify instance (a test's own watch; the process's one lives as long as it). */
    void close() {
        try {
            endWaker(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (fd >= 0) {
                libc.close(fd);
            }
            fd = -1;
            wakeAll();
        }
    }

    /**
     * Ends the process's waker thread, just before the JVM exits: HotSpot's exit waits up to 300 ms
     * for a thread in a native call, and this one waits in {@code poll(2)} for good. Quiet logs are
     * then told of a write at their next poll, as without a waker.
     *
     * @param waitMs how long to wait for the thread to leave its wait (it takes microseconds)
     */
    public static void endSharedWaker(long waitMs) throws InterruptedException {
        SHARED.endWaker(waitMs);
    }

    /** Not under the lock: the waker may be waiting for it to drain. */
    private void endWaker(long waitMs) throws InterruptedException {
        Thread thread;
        int end;
        synchronized (this) {
            thread = waker;
            end = ending;
            waker = null;
            ending = -1;
        }
        if (thread == null) {
            return;
        }
        libc.write(end, new long[] {1}, Long.BYTES);
        thread.join(waitMs);
        if (!thread.isAlive()) {
            libc.close(end);
        }
    }

    private void wakeAll() {
        List<SessionLog> all = new ArrayList<>(armed.values());
        armed.clear();
        all.forEach(SessionLog::touched);
    }

    private void open() {
        fd = -1;
        try {
            libc = LibC.INSTANCE;
            int opened = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
            if (opened < 0) {
                sayPolled("inotify_init1: " + libc.strerror(Native.getLastError()) + " (raise fs.inotify.max_user_instances)");
                return;
            }
            buffer = new Memory(BUFFER_BYTES);
            fd = opened;
            if (woken) {
                startWaker(opened);
            }
        } catch (LinkageError | RuntimeException e) { // no JNA, no inotify in this libc: the logs are looked at
            sayPolled("inotify: " + e);
        }
    }

    /** Without a waker (no eventfd) a touched log is told at its next poll, as before there was one. */
    private void startWaker(int watched) {
        int end = libc.eventfd(0, LibC.EFD_CLOEXEC);
        if (end < 0) {
            System.err.println("smart-runner: a quiet session's log written again is noticed at its next poll (up to 5 s"
                    + " later): eventfd: " + libc.strerror(Native.getLastError()));
            return;
        }
        ending = end;
        waker = DaemonThreads.daemon(() -> wake(watched, end), "sr-log-watch");
        waker.start();
    }

    /** The waker's thread: sleeps until the instance has events (or the end is asked), then reads them. */
    private void wake(int watched, int end) {
        Memory fds = new Memory(2 * POLLFD_BYTES);
        while (true) {
            fds.setInt(0, watched);
            fds.setShort(4, LibC.POLLIN);
            fds.setShort(6, (short) 0);
            fds.setInt(POLLFD_BYTES, end);
            fds.setShort(POLLFD_BYTES + 4, LibC.POLLIN);
            fds.setShort(POLLFD_BYTES + 6, (short) 0);
            if (libc.poll(fds, 2, -1) < 0) {
                if (Native.getLastError() == EINTR) {
                    continue;
                }
                sayUnwoken("poll: " + libc.strerror(Native.getLastError()));
                return;
            }
            if (fds.getShort(POLLFD_BYTES + 6) != 0) {
                return; // endWaker
            }
            short seen = fds.getShort(6);
            if (seen == 0) {
                continue;
            }
            if (seen != LibC.POLLIN) { // POLLERR, POLLNVAL: polling again would spin
                sayUnwoken("poll: revents " + seen);
                return;
            }
            try {
                drain(true);
            } catch (RuntimeException | Error e) { // the thread outlives one failed read: the next events still want telling
                System.err.println("smart-runner: reading the quiet session logs' watch failed: " + e);
            }
        }
    }

    private void sayUnwoken(String why) {
        System.err.println("smart-runner: a quiet session's log written again is noticed at its next poll (up to 5 s"
                + " later), no longer at once: " + why);
    }

    private void sayPolled(String why) {
        if (!saidPolled) {
            saidPolled = true;
            System.err.println("smart-runner: quiet sessions' logs that cannot be watched are looked at on every check, as before: " + why);
        }
    }
}
