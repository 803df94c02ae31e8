package io.smartrunner.process;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where one launch is contained: its own cgroup (when the runner has cgroups) and the subreaper's
 * books. The child must be in its cgroup before it runs a single instruction of the user's
 * program: a shell forks its first background job within a millisecond, long before the runner
 * could write the pid into cgroup.procs after the spawn returned (measured: 29 of 30 daemons
 * escaped that way). So posix_spawn on glibc 2.41+ clones the child straight into the cgroup
 * ({@link #beforeSpawn}, CLONE_INTO_CGROUP); otherwise the command runs through {@link #command},
 * a small program ({@link CgroupJoin}) that writes its own pid into cgroup.procs and then execs
 * the command in the same pid (one more exec). An escapee all the same is caught by the subreaper.
 * The launchers call {@link #spawned} right after the child exists. When the launch ends on
 * its own, whatever is left in its cgroup is killed ({@code cgroup.kill}) and the cgroup removed,
 * or, a session's, given back to the {@link CgroupPool} once empty; when it is being stopped,
 * {@link TreeKill} kills after the grace period. Thread-safe.
 */
final class Placement {
    /** How a launcher starts its children ({@link #command}). */
    enum Spawn {
        /** ProcessBuilder: never into a cgroup. */
        JDK,
        /** glibc's posix_spawn: into the cgroup where glibc can ({@link #clonesIntoCgroup()}). */
        POSIX_SPAWN,
        /** {@link NativeSpawn}: into the cgroup where the runner's probe found it works. */
        NATIVE
    }

    static final Placement NONE = new Placement(null, null, null, null, null, null, null, false, LeftoverLines.silent());
    private static final Map<Long, Placement> BY_PID = new ConcurrentHashMap<>();
    private static final Function SET_CGROUP = setCgroupOrNull();
    private final String sessionId;
    private final SessionCgroup cgroup;
    private final CgroupJoin join;
    private final Subreaper subreaper;
    private final ScheduledExecutorService timers;
    private final CgroupRemovals removals;
    /** Where a session's lent cgroup goes back; null when it has none. */
    private final CgroupPool pool;
    private final LeftoverLines leftoverLines;
    /** {@link NativeSpawn} may clone this launch's child into its cgroup ({@link CgroupContainment#nativeClones()}). */
    private final boolean nativeClones;
    private volatile boolean stopping;
    /** The caller asked the leader to exit and stops what it leaves ({@link #exitAsked}). */
    private volatile boolean exitAsked;
    private volatile boolean cloned;
    private volatile boolean wrapped;
    /** The launch's processes were in its cgroup: cloned there, moved there, or (wrapped) it ran there. */
    private volatile boolean joined;
    /** {@link #exitedNotReaped} has settled {@link #joined}. */
    private volatile boolean zombieSeen;
    private int cgroupFd = -1;

    Placement(String sessionId, SessionCgroup cgroup, CgroupJoin join, Subreaper subreaper,
              ScheduledExecutorService timers, CgroupRemovals removals, CgroupPool pool, boolean nativeClones,
              LeftoverLines leftoverLines) {
        this.sessionId = sessionId;
        this.cgroup = cgroup;
        this.join = join;
        this.subreaper = subreaper;
        this.timers = timers;
        this.removals = removals;
        this.pool = pool;
        this.nativeClones = nativeClones;
        this.leftoverLines = leftoverLines;
    }

    /** glibc's posix_spawnattr_setcgroup_np (2.41+); null when this glibc (or JNA) lacks it. */
    private static Function setCgroupOrNull() {
        try {
            return com.sun.jna.NativeLibrary.getInstance("c").getFunction("posix_spawnattr_setcgroup_np");
        } catch (LinkageError e) {
            return null;
        }
    }

    /** Whether posix_spawn clones children straight into their cgroups here (glibc 2.41+). */
    static boolean clonesIntoCgroup() {
        return SET_CGROUP != null;
    }

    /** The placement of a live launch of ours, {@link #NONE} when it has none (or has ended). */
    static Placement of(long pid) {
        return BY_PID.getOrDefault(pid, NONE);
    }

    /** Null when the launch has no cgroup of its own. */
    SessionCgroup cgroup() {
        return cgroup;
    }

    /**
     * The command to start: {@code command} itself when the launch has no cgroup or is cloned into
     * it, else {@link CgroupJoin}'s command line that joins the cgroup and then execs {@code command}.
     *
     * @param executable the file {@code command.get(0)} resolves to (on PATH, in the working directory)
     * @param spawn      how the launcher starts the child: whether it can clone it into its cgroup
     * @param pwd        PWD in the child's environment, or null
     */
    List<String> command(List<String> command, String executable, Spawn spawn, String pwd) {
        boolean clones = switch (spawn) {
            case JDK -> false;
            case POSIX_SPAWN -> clonesIntoCgroup(); // glibc 2.41+: beforeSpawn
            case NATIVE -> nativeClones; // cloneFd
        };
        if (cgroup == null || (clones && cgroup.cloneable()) || !join.usable()) {
            return command;
        }
        wrapped = true;
        return join.command(cgroup.dir().resolve("cgroup.procs"), executable, command, pwd);
    }

    /** Whether {@link #command} put the join-then-exec shell in front of the command. */
    boolean wrapped() {
        return wrapped;
    }

    /** posix_spawn only, before the call: asks glibc to clone the child straight into the cgroup. */
    void beforeSpawn(Pointer attr) {
        if (cgroup == null || SET_CGROUP == null || wrapped || !cgroup.cloneable()) {
            return;
        }
        ContainmentLibC libc = ContainmentLibC.INSTANCE;
        int fd = libc.open(cgroup.dir().toString(), ContainmentLibC.O_RDONLY | ContainmentLibC.O_DIRECTORY
                | ContainmentLibC.O_CLOEXEC);
        if (fd < 0) {
            return;
        }
        Memory flags = new Memory(2);
        if (SET_CGROUP.invokeInt(new Object[] {attr, fd}) == 0 && libc.posix_spawnattr_getflags(attr, flags) == 0
                && libc.posix_spawnattr_setflags(attr, (short) (flags.getShort(0)
                | ContainmentLibC.POSIX_SPAWN_SETCGROUP)) == 0) {
            cgroupFd = fd;
        } else {
            libc.close(fd);
        }
    }

    /**
     * {@link NativeSpawn} only, before the call: the cgroup's directory, opened for CLONE_INTO_CGROUP;
     * -1 when the launch has none or it cannot be opened (then {@link #afterSpawn} moves the child).
     * {@link #cloneDone} closes it.
     */
    int cloneFd() {
        if (cgroup == null || wrapped || !nativeClones || !cgroup.cloneable()) {
            return -1;
        }
        cgroupFd = cgroup.openDirectory();
        return cgroupFd;
    }

    /** The child was killed as it was cloned: its cgroup is not cloned into again, nor lent again ({@link SessionCgroup#cloneable()}). */
    void killedAtClone() {
        cgroup.killedElsewhere();
    }

    /** After the call: closes what {@link #cloneFd} opened; a child that was {@code spawned} was cloned into that cgroup. */
    void cloneDone(boolean spawned) {
        if (cgroupFd >= 0) {
            ProcLibC.close(cgroupFd);
            cgroupFd = -1;
            cloned = spawned;
            joined = spawned;
        }
    }

    /**
     * The first thing after the spawn call returns: moves the child into its cgroup unless it was
     * cloned there. The sooner, the less a child that forks at once (a shell) can fork outside.
     */
    void afterSpawn(long pid) {
        if (cgroupFd >= 0) {
            ContainmentLibC.INSTANCE.close(cgroupFd);
            cloned = true;
            joined = true;
            cgroupFd = -1;
        }
        if (cgroup != null && !cloned && !wrapped) {
            try {
                cgroup.add(pid);
                joined = true;
            } catch (IOException e) {
                // it has exited already (ESRCH): its exit cleans up
            }
        }
    }

    /**
     * The child exists, before its reaper watches it: a child that exits at once may be a zombie
     * the reaper finds before {@link #spawned} is called, and {@link #exitedNotReaped} must know
     * it then (else its exit read the cgroup's cpu.stat).
     */
    void known(long pid) {
        if (this != NONE) {
            BY_PID.put(pid, this);
        }
    }

    /**
     * The child exists (or the spawn failed: pid {@code -1}): the subreaper's books, and clean-up at its exit.
     *
     * @return the exit the launch's callers see: it completes once this clean-up has begun, so
     *         {@link #contained()} is settled by then
     */
    CompletableFuture<ExitStatus> spawned(long pid, long startTicks, CompletableFuture<ExitStatus> exit) {
        if (cgroupFd >= 0) {
            ContainmentLibC.INSTANCE.close(cgroupFd);
            cgroupFd = -1;
        }
        if (this == NONE || pid <= 0) {
            removeEmpty();
            return exit;
        }
        BY_PID.put(pid, this);
        ProcessWatchdog.launched(pid);
        subreaper.launched(pid, sessionId, startTicks);
        CompletableFuture<ExitStatus> seen = new CompletableFuture<>();
        exit.whenComplete((status, error) -> {
            try {
                subreaper.exited(pid, sessionId);
                if (cgroup != null && !joined && wrapped && !zombieSeen) {
                    joined = cgroup.everRan(); // before it is removed: the join ran in the child
                }
                if (!stopping && !exitAsked) {
                    BY_PID.remove(pid, this);
                    ProcessWatchdog.ended(pid);
                    killAndRemove(true);
                }
            } finally { // the exit as it was, whatever the clean-up threw
                if (error != null) {
                    seen.completeExceptionally(error);
                } else {
                    seen.complete(status);
                }
            }
        });
        return seen;
    }

    /**
     * The launch's leader has exited and is not reaped yet (its reaper calls this, with its
     * pidfd): whether the join-then-exec put it in its cgroup is asked of the zombie, so its exit
     * need not read the cgroup's cpu.stat ({@link SessionCgroup#holds(long, int)}).
     */
    static void exitedNotReaped(long pid, int pidfd) {
        Placement p = BY_PID.get(pid);
        if (p != null && p.cgroup != null && p.wrapped && !p.joined) {
            p.joined = p.cgroup.holds(pid, pidfd);
            p.zombieSeen = true;
        }
    }

    /** Whether its reaper settled {@link #contained()} from its zombie, not from the cgroup's cpu.stat (tests). */
    boolean settledByItsZombie() {
        return zombieSeen;
    }

    /**
     * Whether the launch's processes were in its own cgroup, which is killed when the session
     * ends by itself: whatever it left in its process group went with it. Settled once the exit
     * {@link #spawned} returned has completed.
     */
    boolean contained() {
        return cgroup != null && joined;
    }

    /** A tree stop has begun: the cgroup is now the stop's to kill after its grace period. */
    void stopping() {
        if (this != NONE) {
            stopping = true;
        }
    }

    /**
     * The caller has asked the leader to exit (a browser's {@code Browser.close}) and will stop
     * what it leaves, counting it: the leader's exit alone then kills nothing, so the one count of
     * what was left is the caller's and no second line tells of the same processes. False: the
     * leader did not exit after all, and its own exit cleans up again.
     */
    void exitAsked(boolean asked) {
        if (this != NONE) {
            exitAsked = asked;
        }
    }

    /** The tree stop has ended: kill what may be left and remove the cgroup. */
    void stopped(long pid) {
        BY_PID.remove(pid, this);
        ProcessWatchdog.ended(pid);
        killAndRemove(false);
    }

    /**
     * @param endedOnItsOwn what the launch left in its cgroup is killed and said so (the runner's
     *                      act); a stop's kills are the stop's
     */
    private void killAndRemove(boolean endedOnItsOwn) {
        if (cgroup == null || (cgroup.lent() && !cgroup.revoke())) {
            return; // a lease is given back once: twice in the pool would lend it to two sessions
        }
        SessionCgroup own = cgroup.unleased(); // a revoked lease kills nothing
        // on the timer, not the caller's thread (the reaper's, which then tells the loop): rmdir
        // can wait on the kernel's cgroup locks, and the crash loop ran slower with it on the
        // reaper. The usual case: the launch's processes have all exited and the cgroup is
        // released at once (rmdir fails, and a pooled one is not taken back, while it is populated)
        removals.submit(() -> {
            if (!release(own)) {
                int left = endedOnItsOwn ? own.pids().size() : 0;
                if (own.kill() && left > 0) {
                    leftoverLines.killed(left, "killed " + left + " leftover process(es) of ended " + runKind() + sessionId
                            + " (its cgroup)");
                }
                releaseLater(own, 5);
            }
        });
    }

    /**
     * Removes the cgroup, or gives a session's back to its pool; false while processes are left in
     * it. A pooled one that is gone is forgotten.
     */
    private boolean release(SessionCgroup own) {
        if (!cgroup.lent() || !own.cloneable()) { // a killed one is not lent again (SessionCgroup#cloneable)
            return own.remove();
        }
        int populated = own.populatedFlag(); // one read: '0' empty, '1' not yet, -1 gone
        if (populated == '0') {
            pool.takeBack(own);
        }
        return populated != '1';
    }

    /** What the launch was, for the one line that says what it left: its run id says it. */
    private String runKind() {
        return switch (RunTag.of(sessionId)) {
            case SESSION -> "session ";
            case BROWSER -> "browser run ";
            case RECOVERY_STEP -> "recovery step ";
        };
    }

    private void removeEmpty() {
        if (cgroup != null && cgroup.lent()) {
            killAndRemove(false); // given back to the pool, on the timer as any end
        } else if (cgroup != null) {
            cgroup.remove();
        }
    }

    /**
     * Releases the cgroup once it is empty; polls on the timer, never blocks a caller. One that
     * does not empty within the kill wait stays (the runner's stop removes it).
     */
    private void releaseLater(SessionCgroup own, long pollMs) {
        if (!release(own) && pollMs <= TreeKill.KILL_WAIT_MS) {
            timers.schedule(() -> releaseLater(own, pollMs * 2), pollMs, TimeUnit.MILLISECONDS);
        }
    }
}
