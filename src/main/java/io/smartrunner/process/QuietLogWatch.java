package io.smartrunner.process;

import com.sun.jna.Memory;
import com.sun.jna.Native;
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
 * own poll once a poll found the file unchanged, and read (non-blocking, no thread of its own) by
 * the next polls. 200 idle sessions' logs were 400 {@code stat}s every 5 s: half of an idle
 * runner's CPU. Where inotify is missing or out of watches, a log is polled as before (said
 * once). Thread-safe; not final only so that a test can write into the instant before a watch.
 */
class QuietLogWatch {
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

    QuietLogWatch(TimeSource time) {
        this.time = time;
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
    synchronized void drain() {
        long now = time.nanoTime();
        if (fd < 0 || (drained && now - drainedAt < DRAIN_GAP_NANOS)) {
            return;
        }
        drained = true;
        drainedAt = now;
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
    synchronized void close() {
        if (fd >= 0) {
            libc.close(fd);
        }
        fd = -1;
        wakeAll();
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
        } catch (LinkageError | RuntimeException e) { // no JNA, no inotify in this libc: the logs are looked at
            sayPolled("inotify: " + e);
        }
    }

    private void sayPolled(String why) {
        if (!saidPolled) {
            saidPolled = true;
            System.err.println("smart-runner: quiet sessions' logs that cannot be watched are looked at on every check, as before: " + why);
        }
    }
}
