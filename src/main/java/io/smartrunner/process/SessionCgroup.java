package io.smartrunner.process;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One cgroup v2 directory holding one session's (or browser's, or recovery step's) processes.
 * Whatever they fork, setsid or daemonise stays in it; {@code cgroup.kill} SIGKILLs all of them
 * at once, and the directory is removed once it is empty (the kernel refuses the rmdir while it is
 * populated; {@code cgroup.events} says when that ends).
 */
final class SessionCgroup {
    private static final byte[] POPULATED = "populated ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE = "usage_usec ".getBytes(StandardCharsets.US_ASCII);
    /** cgroup.events is two short lines ("populated 0", "frozen 0"). */
    private static final int EVENTS_BYTES = 128;
    /** /proc/PID/cgroup: a line per hierarchy (a dozen on a host with cgroup v1 controllers too). */
    private static final int PROC_CGROUP_BYTES = 4096;
    private final Path dir;
    /** A session's lease on a pooled cgroup ({@link CgroupPool}); false: the cgroup is this launch's alone. */
    private final boolean lent;
    /** The lease was made with the directory: nothing ran in it before this session. */
    private final boolean fresh;
    /** The lease was given back: the cgroup may hold the next session now. Guarded by this. */
    private boolean revoked;
    /** The cgroup's id, its directory's inode number: 0 until {@link #id()} read it, -1 when it could not. */
    private volatile long id;
    /**
     * Whether a child may be cloned into it (CLONE_INTO_CGROUP): nothing has written its
     * {@code cgroup.kill}, shared with the {@link #unleased()} copy. This kernel (6.18 here) kills a
     * child cloned into a cgroup whose kills differ in number from those of the cgroup of the
     * process that clones (measured: a cgroup killed once, emptied, then cloned into, kills the
     * child at once): such a cgroup is joined by writing cgroup.procs instead, and a pooled one is
     * removed once empty, never lent again.
     */
    private final AtomicBoolean neverKilled;

    SessionCgroup(Path dir) {
        this(dir, false, true, 0, new AtomicBoolean(false));
    }

    private SessionCgroup(Path dir, boolean lent, boolean fresh, long id, AtomicBoolean neverKilled) {
        this.dir = dir;
        this.lent = lent;
        this.fresh = fresh;
        this.id = id;
        this.neverKilled = neverKilled;
    }

    /**
     * A session's lease on a pooled cgroup; {@code fresh} when the directory was made for it.
     *
     * @param id its {@link #id()} when known (an earlier lease read it), else 0
     */
    static SessionCgroup lent(Path dir, boolean fresh, long id) {
        return new SessionCgroup(dir, true, fresh, id, new AtomicBoolean(true)); // a pool lends only those never killed
    }

    /**
     * The directory opened (O_DIRECTORY, close-on-exec) for CLONE_INTO_CGROUP, -1 when it cannot
     * be; the caller closes it ({@link ProcLibC#close}). Direct-mapped: through JNA's interface
     * proxy the open and close were 9 % of a crash loop's launch thread.
     */
    int openDirectory() {
        byte[] bytes = ProcBytes.asciiPath(dir);
        if (bytes == null) {
            return -1; // not a name this runner makes: not cloned into, joined by writing cgroup.procs
        }
        return ProcLibC.open(bytes, ProcLibC.O_RDONLY | ProcLibC.O_DIRECTORY | ProcLibC.O_CLOEXEC);
    }

    /** Someone else killed it (a child cloned into it was killed at once): from now on as if this runner had. */
    void killedElsewhere() {
        neverKilled.set(false);
    }

    /** Whether a child may be cloned into it: made by this runner and never killed since ({@link #neverKilled}). */
    boolean cloneable() {
        return neverKilled.get();
    }

    /** The cgroup's id (what the kernel reports for a process in it), -1 when it cannot be read; read once. */
    long id() {
        long known = id;
        if (known == 0) {
            try {
                known = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                known = -1;
            }
            id = known;
        }
        return known;
    }

    /** {@link #id()} if it was read, else 0: what a pool passes on to the next lease. */
    long knownId() {
        return Math.max(0, id);
    }

    boolean lent() {
        return lent;
    }

    /**
     * Ends a lease: from now on this instance lists no process and kills none, whatever still
     * holds it (the cgroup itself is then the pool's, through an instance of its own).
     *
     * @return true the first time only: the lease is given back once, however many ends it sees
     *         (a session that exits while a stop of it begins)
     */
    synchronized boolean revoke() {
        boolean first = !revoked;
        revoked = true;
        return first;
    }

    /** The cgroup itself, without the lease's limits: for the clean-up that gives it back. */
    SessionCgroup unleased() {
        return lent ? new SessionCgroup(dir, false, true, id, neverKilled) : this;
    }

    Path dir() {
        return dir;
    }

    /** Creates the directory (an existing one is reused). */
    static SessionCgroup create(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return new SessionCgroup(dir); // a relaunch under the same id: reused, but not cloned into (it may have been killed)
        }
        return new SessionCgroup(dir, false, true, 0, new AtomicBoolean(true));
    }

    /** Moves a process (and not its threads' siblings: the whole thread group) into this cgroup. */
    void add(long pid) throws IOException {
        if (revoked()) {
            throw new IOException(dir + " is lent to another session now");
        }
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid), StandardCharsets.US_ASCII);
    }

    /** The pids in it now; empty when it is gone. */
    List<Long> pids() {
        if (revoked()) {
            return List.of(); // the next session's, not this one's
        }
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
        return pids;
    }

    /** SIGKILLs every process in it (and in any cgroup below it); false when it is gone already. */
    boolean kill() {
        synchronized (this) { // a lease given back meanwhile holds the next session: never killed through it
            if (revoked) {
                return false;
            }
            neverKilled.set(false);
            try {
                Files.writeString(dir.resolve("cgroup.kill"), "1", StandardCharsets.US_ASCII);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private synchronized boolean revoked() {
        return revoked;
    }

    /** Whether any live process is still in it ({@code populated 1}); false when it is gone. */
    boolean populated() {
        return populatedFlag() == '1';
    }

    /** Whether it is there and empty ({@code populated 0}): a lease given back may then be lent again. */
    boolean emptied() {
        return populatedFlag() == '0';
    }

    /** The digit after "populated " in cgroup.events ('0' or '1'), -1 when it is gone (or unreadable). */
    int populatedFlag() {
        byte[] buf = new byte[EVENTS_BYTES];
        int n = ProcBytes.read(dir.resolve("cgroup.events"), buf);
        int at = ProcBytes.indexOf(buf, n, POPULATED, 0);
        return at >= 0 && (at == 0 || buf[at - 1] == '\n') && at + POPULATED.length < n
                ? buf[at + POPULATED.length] : -1;
    }

    /**
     * Whether anything ever ran in it ({@code cpu.stat}'s usage_usec above 0): a launch joined
     * through a program that execs the command (whose failed join does not stop the launch) has
     * its processes here exactly when this is true. False when it is gone, and for a reused
     * cgroup (its usage counts earlier sessions too): the caller then takes the launch as not
     * contained, the careful side.
     */
    boolean everRan() {
        if (!fresh) {
            return false;
        }
        byte[] buf = new byte[EVENTS_BYTES];
        int n = ProcBytes.read(dir.resolve("cpu.stat"), buf);
        int at = ProcBytes.indexOf(buf, n, USAGE, 0);
        return at == 0 && ProcBytes.parseDecimal(buf, USAGE.length, n, 0) > 0;
    }

    /**
     * Whether process {@code pid}, whose pidfd is {@code pidfd}, is in this cgroup: asked of the
     * pidfd ({@link PidfdInfo}), else read from /proc ({@link #holds(long)}). Call before it is
     * reaped.
     */
    boolean holds(long pid, int pidfd) {
        long in = PidfdInfo.cgroupId(pidfd);
        if (in >= 0) {
            long mine = id();
            if (mine > 0) {
                return in == mine;
            }
        }
        return holds(pid);
    }

    /**
     * Whether process {@code pid} is in this cgroup, from the cgroup v2 line of /proc/PID/cgroup
     * (an exited process not yet reaped still has its cgroup there). Cheap, unlike {@link #everRan}:
     * a read of cpu.stat flushes the kernel's per-CPU statistics, and with 1 000 sessions running
     * that flush was a third of the reaper's time in the kernel. False when the process is gone.
     */
    boolean holds(long pid) {
        byte[] buf = new byte[PROC_CGROUP_BYTES];
        int n = ProcBytes.read(Path.of("/proc", Long.toString(pid), "cgroup"), buf);
        if (n <= 0 || n == buf.length) {
            return false; // gone, or a path longer than any this runner makes: not taken for a match
        }
        String suffix = "/" + dir.getParent().getFileName() + "/" + dir.getFileName();
        for (String line : new String(buf, 0, n, StandardCharsets.US_ASCII).split("\n")) {
            if (line.startsWith("0::") && line.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** Removes the directory when it is empty; true when it is gone (now or before). */
    boolean remove() {
        byte[] bytes = ProcBytes.asciiPath(dir);
        if (bytes != null) {
            try {
                return CgroupLibC.rmdir(bytes) == 0 || Native.getLastError() == CgroupLibC.ENOENT;
            } catch (LinkageError e) {
                // no direct binding here: the JDK's way below
            }
        }
        try {
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
