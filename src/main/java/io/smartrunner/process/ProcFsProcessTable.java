package io.smartrunner.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * {@link ProcessTable} read from Linux's /proc. Recognises session processes by their pid and
 * start time (field 22 of /proc/PID/stat) or by the SR_* variables in /proc/PID/environ, so a
 * reused pid is never signalled. Thread-safe; {@link #stopSession} blocks its caller until done.
 */
public final class ProcFsProcessTable implements ProcessTable {
    /** init (1) and kthreadd (2): a dead runner's orphans' parent, and the kernel's threads'. */
    private static final long KERNEL_THREADS = 2;
    private final ScheduledExecutorService timers;

    /** Uses the package's shared daemon timer thread for grace periods. */
    public ProcFsProcessTable() {
        this(ProcessTimers.shared());
    }

    /** @param timers runs the steps of {@link #stopSession} (the caller only waits) */
    public ProcFsProcessTable(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    @Override
    public List<TaggedProcess> tagged(String runnerId) {
        List<TaggedProcess> found = new ArrayList<>();
        for (ProcStat p : ProcFs.scan().values()) {
            if (p.dead() || SessionMembers.foreign(p)) {
                continue;
            }
            Map<String, String> env = ProcFs.environ(p.pid());
            if (runnerId.equals(env.get(SessionEnv.RUNNER_ID))) {
                found.add(new TaggedProcess(p.pid(), p.startTicks(), env.get(SessionEnv.SESSION_ID),
                        env.get(SessionEnv.PROFILE_ID), env.get(SessionEnv.POD)));
            }
        }
        return found;
    }

    /**
     * From the other side: the runners alive on the host, then whether one of them works for the
     * id. The first untagged ancestor of a tagged process is the runner that spawned its tree, whose
     * child (the session's leader, a browser, a recovery step) is tagged: where the parent's command
     * line is the jar or the main class, its children's environments are read. And whatever its
     * command line (a renamed jar, an argument file, a wrapper), a runner on SQLite keeps its
     * process watchdog as a child that leads its own session, with the runner's pid and id in its
     * arguments ({@link ProcessWatchdog}), idle or not: only those children's command lines are read
     * (reviewer R20: a renamed jar with nothing running got past the first look). On a host with no
     * other runner nothing else is read: every start pays for this look.
     */
    @Override
    public Optional<Long> liveRunnerTagging(String runnerId) {
        long self = ProcessHandle.current().pid();
        Map<Long, List<ProcStat>> children = new java.util.HashMap<>();
        for (ProcStat p : ProcFs.scan().values()) {
            if (!p.dead() && !SessionMembers.foreign(p) && p.ppid() > KERNEL_THREADS && p.ppid() != self) {
                children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
            }
        }
        for (Map.Entry<Long, List<ProcStat>> parent : children.entrySet()) {
            // the jar (bin/smart-runner, the image) or the main class (a class path): not a path that
            // merely contains "smart-runner", as a test JVM's or a shell's in a checkout of that name would
            String cmd = ProcFs.cmdline(parent.getKey());
            boolean runner = cmd.contains("smart-runner.jar") || cmd.contains("io.smartrunner.cli.Main");
            for (ProcStat child : parent.getValue()) {
                if (runner && runnerId.equals(ProcFs.environValue(child.pid(), SessionEnv.RUNNER_ID))
                        || child.pid() == child.session()
                        && ProcessWatchdog.watches(ProcFs.argv(child.pid()), parent.getKey(), runnerId)) {
                    // the runner is untagged: a session a killed runner left running carries the id, and
                    // one whose command line names the jar looked like its runner (reviewer R21)
                    if (runnerId.equals(ProcFs.environValue(parent.getKey(), SessionEnv.RUNNER_ID))) {
                        break; // a tagged parent is no runner, whichever of its children matched
                    }
                    return Optional.of(parent.getKey());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<RunningProcess> adopt(String runnerId, String sessionId) {
        return ProcFs.scan().values().stream()
                .filter(p -> p.pid() == p.pgrp() && !p.dead() && !SessionMembers.foreign(p))
                .filter(p -> {
                    Map<String, String> env = ProcFs.environ(p.pid());
                    return runnerId.equals(env.get(SessionEnv.RUNNER_ID))
                            && sessionId.equals(env.get(SessionEnv.SESSION_ID));
                })
                .min(Comparator.comparingLong(ProcStat::startTicks))
                .map(p -> new AdoptedProcess(p.pid(), p.startTicks(), sessionId, timers));
    }

    @Override
    public int stopSession(long pid, long startTicks, String sessionId, Duration grace) {
        return stopSessions(List.of(new SessionToStop(pid, startTicks, sessionId)), grace);
    }

    @Override
    public int stopSessions(List<SessionToStop> sessions, Duration grace) {
        // every stop starts now; their /proc scans are shared (ProcSnapshot), so N stops cost about one
        List<TreeKill> kills = new ArrayList<>(sessions.size());
        List<CompletableFuture<Integer>> stops = new ArrayList<>(sessions.size());
        for (SessionToStop s : sessions) {
            TreeKill kill = new TreeKill("session " + s.sessionId() + " (pid " + s.pid() + ")",
                    new SessionMembers(s.pid(), s.startTicks(), s.sessionId()), timers);
            kills.add(kill);
            stops.add(kill.start(grace));
        }
        long deadline = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(grace.toMillis() + TreeKill.KILL_WAIT_MS + 5000);
        int signalled = 0;
        for (int i = 0; i < kills.size(); i++) {
            try {
                stops.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // the contract: return after grace plus a bounded wait, with what was signalled
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                deadline = System.nanoTime(); // count what went out, wait no more
            }
            signalled += kills.get(i).signalledCount();
        }
        return signalled;
    }

    @Override
    public int stopEscaped(String runnerId, Predicate<TaggedProcess> keep, Duration grace) {
        return Containment.stopLeftovers(runnerId, pid -> {
            Map<String, String> env = ProcFs.environ(pid);
            String session = env.get(SessionEnv.SESSION_ID);
            return session != null && keep.test(new TaggedProcess(pid, -1, session, env.get(SessionEnv.PROFILE_ID),
                    env.get(SessionEnv.POD)));
        }, grace);
    }

    @Override
    public int sweepLeftovers(Map<Long, String> sessionsByPgid) {
        if (sessionsByPgid.isEmpty()) {
            return 0;
        }
        int killed = 0;
        for (ProcStat p : ProcFs.scan().values()) {
            String sessionId = sessionsByPgid.get(p.pgrp());
            if (sessionId == null || p.dead() || SessionMembers.foreign(p)) {
                continue;
            }
            if (sessionId.equals(ProcFs.environValue(p.pid(), SessionEnv.SESSION_ID)) && Signals.send(p, true)) {
                killed++;
            }
        }
        return killed;
    }
}
