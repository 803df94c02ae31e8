package io.smartrunner.process;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Stops every member of a session: SIGTERM (to the leader's process group at once, then to every
 * other member a /proc scan finds), SIGKILL after the grace period (and cgroup.kill when the
 * session has a cgroup of its own), then re-scans until none is left. Each step is one /proc scan
 * run on the timer thread; between steps it waits on the timer, never on a caller's thread.
 * SIGTERM goes once, to what lived when it went out: a member that started later was forked by a
 * process already told to stop (a TERM handler's cleanup, a last report) and has the grace to
 * finish, as under systemd; whatever still lives at the grace's end gets the SIGKILL.
 * <p>The scans back off from 10 to 250 ms, so a tree that was gone a moment after its SIGTERM was
 * seen gone up to one interval later (a session whose TERM handler took 0.35 s ended 0.23 s after
 * its exit); {@link #recheck} looks at once when the leader has been reaped.
 */
final class TreeKill {
    private static final long FIRST_POLL_MS = 10;
    private static final long MAX_POLL_MS = 250;
    /** How long SIGKILLed processes may take to vanish (a task in uninterruptible sleep may be slow). */
    static final long KILL_WAIT_MS = 5000;

    private final String what;
    private final SessionMembers members;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final Set<Long> signalled = new HashSet<>();
    /** Members that started after this tick get no SIGTERM (see above); -1 until the first SIGTERM went out. */
    private long termUpToTicks = -1;

    TreeKill(String what, SessionMembers members, ScheduledExecutorService timers) {
        this.what = what;
        this.members = members;
        this.timers = timers;
    }

    /** Starts stopping; completes with how many processes were signalled. */
    CompletableFuture<Integer> start(Duration grace) {
        return start(grace, false);
    }

    /**
     * @param groupFirst the leader is a launch of this runner, which made its process group: the
     *                   group gets SIGTERM before the first scan ({@link SessionMembers#termLeadersGroup()}).
     *                   Not for a previous runner's sessions, whose stop reports every process it signals.
     */
    CompletableFuture<Integer> start(Duration grace, boolean groupFirst) {
        long seen = ProcSnapshot.latest();
        long graceMs = Math.max(0, grace.toMillis());
        long graceEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
        boolean groupTermed = groupFirst && (members.groupTermUpToTicks() >= 0 || members.termLeadersGroup());
        if (groupTermed) {
            termUpToTicks = members.groupTermUpToTicks();
        }
        if (groupTermed && graceMs > FIRST_POLL_MS) {
            // the group is exiting already: the first scan (for what is outside it) waits a poll, so
            // it reads fewer processes and a fleet's stops started meanwhile share it
            later(() -> term(seen, graceEnds, FIRST_POLL_MS * 2), FIRST_POLL_MS);
        } else {
            timers.execute(() -> step(() -> term(seen, graceEnds, FIRST_POLL_MS)));
        }
        return done;
    }

    /**
     * The leader has been reaped: looks again now, out of the scans' order, and ends the stop if
     * no member is left. Only ever ends it sooner: the scans go on as planned (the grace counted
     * as before), and a member the look finds keeps the stop going.
     */
    void recheck() {
        long seen = ProcSnapshot.latest();
        try {
            timers.execute(() -> step(() -> {
                if (!done.isDone() && members.in(ProcSnapshot.after(seen)).isEmpty()) {
                    done.complete(signalledCount());
                }
            }));
        } catch (RejectedExecutionException e) {
            // the timers have ended with the runner: the planned scans never come either
        }
    }

    /** Processes signalled so far: also meaningful when stopping failed. */
    synchronized int signalledCount() {
        return signalled.size();
    }

    // seen: the latest scan when this step was scheduled; the step needs one started after it.
    // graceEnds: System.nanoTime() when SIGKILL is due. A deadline, not the sum of the polls' delays:
    // that sum left out each scan's own time, and on a loaded machine (a scan of /proc taking
    // hundreds of ms) a 3 s grace stretched to 6-20 s, past the session's timeoutMs.
    private void term(long seen, long graceEnds, long pollMs) {
        if (done.isDone()) {
            return; // a recheck found every member gone
        }
        Collection<ProcStat> live = members.in(ProcSnapshot.after(seen));
        if (live.isEmpty()) {
            done.complete(signalledCount());
            return;
        }
        for (ProcStat p : live) {
            if (members.inTermedGroup(p)) {
                record(p.pid());
            } else if ((termUpToTicks < 0 || p.startTicks() <= termUpToTicks) && record(p.pid())) {
                Signals.send(p, false);
            }
        }
        if (termUpToTicks < 0) {
            // /proc's start times are whole ticks, rounded down: all the scan missed started by now
            termUpToTicks = BootTicks.now();
        }
        long graceLeftMs = TimeUnit.NANOSECONDS.toMillis(graceEnds - System.nanoTime());
        if (graceLeftMs <= 0) {
            kill(ProcSnapshot.latest(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MS), FIRST_POLL_MS);
            return;
        }
        long delay = Math.min(pollMs, graceLeftMs);
        long now = ProcSnapshot.latest();
        later(() -> term(now, graceEnds, Math.min(pollMs * 2, MAX_POLL_MS)), delay);
    }

    private void kill(long seen, long waitEnds, long pollMs) {
        if (done.isDone()) {
            return;
        }
        Collection<ProcStat> live = members.in(ProcSnapshot.after(seen));
        if (live.isEmpty()) {
            done.complete(signalledCount());
            return;
        }
        long waitLeftMs = TimeUnit.NANOSECONDS.toMillis(waitEnds - System.nanoTime());
        if (waitLeftMs <= 0) {
            String pids = live.stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining(", "));
            done.completeExceptionally(new ProcessException(what + ": " + live.size()
                    + " process(es) still alive " + KILL_WAIT_MS + " ms after SIGKILL: pids " + pids));
            return;
        }
        for (ProcStat p : live) {
            record(p.pid());
            Signals.send(p, true);
        }
        // and everything in the session's cgroup, including what forked since the scan
        members.killCgroup();
        long delay = Math.min(pollMs, waitLeftMs);
        long now = ProcSnapshot.latest();
        later(() -> kill(now, waitEnds, Math.min(pollMs * 2, MAX_POLL_MS)), delay);
    }

    private synchronized boolean record(long pid) {
        return signalled.add(pid);
    }

    private void later(Runnable next, long delayMs) {
        timers.schedule(() -> step(next), delayMs, TimeUnit.MILLISECONDS);
    }

    private void step(Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            done.completeExceptionally(new ProcessException(what + ": stopping failed: " + e, e));
        }
    }
}
