package io.smartrunner.process;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One scan of /proc, shared: when many sessions are being stopped at once (a runner shutdown,
 * a burst of timeouts), every stop step due at about the same moment uses the same scan
 * instead of each reading all of /proc again. Thread-safe.
 */
final class ProcSnapshot {
    private static final AtomicLong SCANS = new AtomicLong();
    private static final AtomicReference<ProcSnapshot> LATEST = new AtomicReference<>();

    private final long number;
    private final Map<Long, ProcStat> processes;
    private final Map<Long, String> sessionIds = new ConcurrentHashMap<>();
    private volatile Map<Long, List<ProcStat>> children;
    private volatile Map<Long, List<ProcStat>> groups;
    private volatile Map<String, List<ProcStat>> tagged;

    private ProcSnapshot(long number, Map<Long, ProcStat> processes) {
        this.number = number;
        this.processes = processes;
    }

    /** The number of the latest scan started so far: pass it to {@link #after} later. */
    static long latest() {
        return SCANS.get();
    }

    /** A scan started after scan number {@code seen}: the latest one if it qualifies, else a new one. */
    static ProcSnapshot after(long seen) {
        ProcSnapshot last = LATEST.get();
        if (last != null && last.number > seen) {
            return last;
        }
        ProcSnapshot fresh = new ProcSnapshot(SCANS.incrementAndGet(), ProcFs.scan());
        LATEST.accumulateAndGet(fresh, (a, b) -> a == null || b.number > a.number ? b : a);
        return fresh;
    }

    Map<Long, ProcStat> processes() {
        return processes;
    }

    /** SR_SESSION_ID from the process's environment, "" when it has none or cannot be read. */
    String sessionIdOf(long pid) {
        return sessionIds.computeIfAbsent(pid, p -> {
            String id = ProcFs.environValue(p, SessionEnv.SESSION_ID);
            return id == null ? "" : id;
        });
    }

    /** The processes by process group id. */
    Map<Long, List<ProcStat>> groups() {
        Map<Long, List<ProcStat>> index = groups;
        if (index == null) {
            index = new HashMap<>();
            for (ProcStat p : processes.values()) {
                index.computeIfAbsent(p.pgrp(), k -> new ArrayList<>()).add(p);
            }
            groups = index;
        }
        return index;
    }

    /**
     * The live processes by the SR_SESSION_ID in their environment, leaving out those
     * {@code skip} accepts (read once per snapshot: a shutdown's 200 stops look up one map
     * instead of each walking every process of the host).
     */
    synchronized Map<String, List<ProcStat>> tagged(java.util.function.Predicate<ProcStat> skip) {
        Map<String, List<ProcStat>> index = tagged;
        if (index == null) {
            index = new HashMap<>();
            for (ProcStat p : processes.values()) {
                if (p.dead() || skip.test(p)) {
                    continue;
                }
                String id = sessionIdOf(p.pid());
                if (!id.isEmpty()) {
                    index.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
                }
            }
            tagged = index;
        }
        return index;
    }

    /** The processes by parent pid. */
    Map<Long, List<ProcStat>> children() {
        Map<Long, List<ProcStat>> index = children;
        if (index == null) {
            index = new HashMap<>();
            for (ProcStat p : processes.values()) {
                index.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
            }
            children = index;
        }
        return index;
    }
}
