package io.smartrunner.process;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which processes of a /proc snapshot belong to one session: the leader, its process group and
 * its descendants (only while the leader with the recorded start time is alive, so a reused pid
 * or group id never drags in a stranger; after {@link #termLeadersGroup()}, the group as it
 * was then), plus every process whose environment carries the session's id, plus every process
 * in the session's own cgroup when it has one (a daemon that left both group and session and
 * dropped its environment is still there). Once found, a process stays a member (pinned by its
 * start time) even after the leader is gone: an untagged group member that ignored SIGTERM still
 * gets the SIGKILL. Never the runner itself, nor anything else in the runner's process group.
 * Used by one stop at a time.
 */
final class SessionMembers {
    private static final long SELF = ProcessHandle.current().pid();
    private static final long SELF_PGRP = ProcFs.stat(SELF).map(ProcStat::pgrp).orElse(-1L);

    private final long leaderPid;
    private final long leaderStartTicks;
    private final String sessionId;
    private final SessionCgroup cgroup;
    /** pid → start ticks of every process found so far. */
    private final Map<Long, Long> known = new ConcurrentHashMap<>();
    /** Every member the leader's group had at its SIGTERM started by this tick; -1: none sent. */
    private volatile long groupAtKillUpToTicks = -1;

    SessionMembers(long leaderPid, long leaderStartTicks, String sessionId) {
        this(leaderPid, leaderStartTicks, sessionId, null);
    }

    /** @param cgroup the session's own cgroup (every process in it is a member), or null */
    SessionMembers(long leaderPid, long leaderStartTicks, String sessionId, SessionCgroup cgroup) {
        this.leaderPid = leaderPid;
        this.leaderStartTicks = leaderStartTicks;
        this.sessionId = sessionId;
        this.cgroup = cgroup;
    }

    /** SIGKILLs the whole cgroup at once (the tree stop's last resort); false when there is none. */
    boolean killCgroup() {
        return cgroup != null && cgroup.kill();
    }

    /**
     * SIGTERMs the leader's whole process group with one {@code kill(2)}, before any /proc scan:
     * a fleet's stop then reaches each session's group at once instead of after a scan of every
     * host process (200 sessions: the first of them got SIGTERM 78 ms after the runner's, the
     * last 180 ms). Only while the leader with the recorded start time leads its group (alive, or
     * a zombie not reaped yet: either keeps the group's id from being reused). The members the
     * group had then stay members after the leader is gone, as if a scan had found them while it
     * lived.
     *
     * @return whether the group was signalled
     */
    boolean termLeadersGroup() {
        return leaderLeadsItsGroup() && termCheckedGroup();
    }

    /**
     * The check of {@link #termLeadersGroup()}: the leader with the recorded start time leads its
     * group, alive or a zombie not reaped yet.
     */
    boolean leaderLeadsItsGroup() {
        Optional<ProcStat> leader = ProcFs.stat(leaderPid);
        return leader.isPresent() && leader.get().startTicks() == leaderStartTicks && leader.get().pgrp() == leaderPid
                && !foreign(leader.get());
    }

    /**
     * The signal of {@link #termLeadersGroup()}, right after {@link #leaderLeadsItsGroup()} said yes
     * (a runner stopping many sessions checks every group, then signals them in a row: milliseconds
     * apart, and Linux hands out a freed pid again only when its counter wraps around).
     *
     * @return whether the group was signalled
     */
    boolean termCheckedGroup() {
        if (ContainmentLibC.INSTANCE.kill((int) -leaderPid, ContainmentLibC.SIGTERM) != 0) {
            return false;
        }
        // /proc's start times are whole ticks, rounded down: every process there was at the kill
        // started no later than this one
        groupAtKillUpToTicks = BootTicks.now();
        return true;
    }

    /**
     * Whether {@code p} needs no SIGTERM of its own after {@link #termLeadersGroup()}: it is in the
     * group, so it either had the group's SIGTERM or a member forked it since (a group signal
     * cannot miss a fork in progress: the kernel restarts the fork or signals the child too). What
     * a stopping member forks is part of its shutdown (a TERM handler's cleanup commands): it is
     * left alone for the grace, as systemd does, and gets the SIGKILL if it outlives it.
     */
    boolean inTermedGroup(ProcStat p) {
        return groupAtKillUpToTicks >= 0 && p.pgrp() == leaderPid;
    }

    /** The tick by which every process {@link #termLeadersGroup()}'s SIGTERM reached had started; -1: none sent. */
    long groupTermUpToTicks() {
        return groupAtKillUpToTicks;
    }

    /** The live (not zombie) members in {@code snapshot}. */
    Collection<ProcStat> in(ProcSnapshot snapshot) {
        Map<Long, ProcStat> all = snapshot.processes();
        Map<Long, ProcStat> found = new LinkedHashMap<>();
        ProcStat leader = all.get(leaderPid);
        boolean leaderAlive = leader != null && !leader.dead() && leader.startTicks() == leaderStartTicks;
        if (leaderAlive) {
            // Before its setsid() the leader is still in our group: it is the one exception.
            found.put(leaderPid, leader);
            addDescendants(snapshot.children(), found);
        }
        if (cgroup != null) {
            for (long pid : cgroup.pids()) {
                ProcStat p = all.get(pid);
                if (p != null && !p.dead() && !foreign(p)) {
                    found.put(pid, p);
                }
            }
        }
        // members found before (pinned by start time), the leader's group, the session's tag: from
        // the snapshot's indexes, not a walk over every process of the host per session
        known.forEach((pid, startTicks) -> {
            ProcStat p = all.get(pid);
            if (p != null && p.startTicks() == startTicks) {
                addLive(found, p);
            }
        });
        if (leaderAlive) {
            snapshot.groups().getOrDefault(leaderPid, List.of()).forEach(p -> addLive(found, p));
        } else if (groupAtKillUpToTicks >= 0) {
            // the group as it was at the kill: its id is not reused while any of them lives
            snapshot.groups().getOrDefault(leaderPid, List.of()).stream()
                    .filter(p -> p.startTicks() <= groupAtKillUpToTicks).forEach(p -> addLive(found, p));
        }
        if (sessionId != null) {
            snapshot.tagged(SessionMembers::foreign).getOrDefault(sessionId, List.of()).forEach(p -> addLive(found, p));
        }
        found.values().removeIf(p -> p.pid() != leaderPid && foreign(p));
        found.values().forEach(p -> known.put(p.pid(), p.startTicks()));
        return found.values();
    }

    private static void addLive(Map<Long, ProcStat> found, ProcStat p) {
        if (!p.dead() && !foreign(p)) {
            found.putIfAbsent(p.pid(), p);
        }
    }

    /** The runner, its group, and kernel threads are never a session's. */
    static boolean foreign(ProcStat p) {
        return p.pid() == SELF || p.pgrp() == SELF_PGRP || p.pid() <= 2 || p.ppid() == 2;
    }

    private void addDescendants(Map<Long, List<ProcStat>> children, Map<Long, ProcStat> found) {
        Deque<Long> todo = new ArrayDeque<>(List.of(leaderPid));
        while (!todo.isEmpty()) {
            for (ProcStat child : children.getOrDefault(todo.pop(), List.of())) {
                if (!child.dead() && found.putIfAbsent(child.pid(), child) == null) {
                    todo.push(child.pid());
                }
            }
        }
    }
}
