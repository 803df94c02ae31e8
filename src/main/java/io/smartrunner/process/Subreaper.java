package io.smartrunner.process;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The runner as child subreaper ({@code PR_SET_CHILD_SUBREAPER}): a descendant whose parent dies
 * (a daemonising grandchild) becomes the runner's child instead of init's. Every scan (each
 * second, each {@link #QUIET_SCAN_MS} once quiet, and when a launch exits) lists the runner's
 * children in /proc and picks the adopted ones: not one of our launches (posix_spawn children are reaped by {@link PidfdReaper}, JDK ones
 * by the JDK's own waitpid(pid)), not in the runner's own session (plain ProcessBuilder children
 * stay in it; anything descended from a session has left it), seen by two scans in a row and at
 * least half a second old, so a launch in the instant before it is registered is never mistaken. Adopted zombies are reaped
 * with {@code waitid(P_PID, pid, WNOHANG)}, never {@code waitpid(-1)}; live ones are stopped
 * (SIGTERM, SIGKILL after the grace) when {@link OrphanAttribution} says their sessions ended.
 * Thread-safe.
 */
final class Subreaper {
    static final long SCAN_MS = 1000;
    /**
     * With nothing launched or ended and nothing unexplained among the children, the scans space
     * out: the gap grows with the quiet (one as long as it has lasted: 1, 2, 4, 8… s) up to this.
     * Each scan was the largest part of an idle runner's CPU (200 long sessions, when it read every
     * thread's children list; {@link SelfChildren}), and in a quiet runner nothing new is adopted
     * but what escapes a running session's own processes, which its end looks for anyway (within
     * {@link #AFTER_EXIT_MS}).
     * A launch, an end, or a child seen once and not yet explained brings the gap back to a second.
     */
    static final long QUIET_SCAN_MS = 30_000;
    private volatile long lastActivityNanos = System.nanoTime();
    private boolean closed;
    /** How soon after a session's end its orphans are looked at (an orphan is taken for one after half a second anyway). */
    static final long AFTER_EXIT_MS = 50;
    private final java.util.concurrent.atomic.AtomicBoolean scanSoon = new java.util.concurrent.atomic.AtomicBoolean();
    private static final int SIGINFO_BYTES = 128;
    private static final long SELF = ProcessHandle.current().pid();

    private final long selfSession = ProcFs.stat(SELF).map(ProcStat::session).orElse(-1L);
    private final ContainmentLibC libc = ContainmentLibC.INSTANCE;
    private final ScheduledExecutorService timers;
    private final Duration grace;
    private final OrphanJournal journal;
    private final Set<Long> launches = ConcurrentHashMap.newKeySet();
    private final OrphanAttribution attribution = new OrphanAttribution(4096);
    /** pid → start ticks of the runner's unexplained children at the last scan. */
    private Map<Long, Long> seenOnce = new HashMap<>();
    private final Map<Long, Orphan> orphans = new HashMap<>();
    private ScheduledFuture<?> scans;

    private static final class Orphan {
        final long pid;
        final long startTicks;
        final Set<String> owners;
        CompletableFuture<Integer> stop;

        Orphan(long pid, long startTicks, Set<String> owners) {
            this.pid = pid;
            this.startTicks = startTicks;
            this.owners = owners;
        }
    }

    private Subreaper(ScheduledExecutorService timers, Duration grace, OrphanJournal journal) {
        this.timers = timers;
        this.grace = grace;
        this.journal = journal;
        this.scans = timers.schedule(this::periodicScan, SCAN_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Makes this process a child subreaper and starts scanning.
     *
     * @throws ProcessException when the kernel refuses (not Linux 3.4+)
     */
    static Subreaper start(ScheduledExecutorService timers, Duration grace, OrphanJournal journal) {
        enable();
        return new Subreaper(timers, grace, journal);
    }

    /** Sets PR_SET_CHILD_SUBREAPER on this process (idempotent). */
    static void enable() {
        ContainmentLibC libc = ContainmentLibC.INSTANCE;
        if (libc.prctl(ContainmentLibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            throw new ProcessException("prctl(PR_SET_CHILD_SUBREAPER): " + libc.strerror(Native.getLastError()));
        }
    }

    /** A launch of ours started: its pid is ours to leave alone, its session one an orphan may escape from. */
    synchronized void launched(long pid, String sessionId, long startTicks) {
        lastActivityNanos = System.nanoTime();
        launches.add(pid);
        attribution.started(sessionId, startTicks >= 0 ? startTicks : BootTicks.now());
        nextScanWithinASecond();
    }

    /**
     * A launch of ours has been reaped: its session ended now; orphans it leaves are looked at
     * within {@link #AFTER_EXIT_MS} (one scan for all the sessions that end meanwhile: at 500 ends a
     * second a scan per end was most of the runner's CPU).
     */
    void exited(long pid, String sessionId) {
        synchronized (this) {
            lastActivityNanos = System.nanoTime();
            launches.remove(pid);
            attribution.ended(sessionId, BootTicks.now());
            nextScanWithinASecond(); // the one after the end's own scan, which may see an orphan only once
        }
        if (scanSoon.compareAndSet(false, true)) {
            timers.schedule(() -> {
                scanSoon.set(false);
                scanQuietly();
            }, AFTER_EXIT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void periodicScan() {
        scanQuietly();
        synchronized (this) {
            if (!closed) {
                scans = timers.schedule(this::periodicScan, nextScanMs(System.nanoTime()), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** When the next periodic scan is due, in ms from {@code nowNanos}. */
    synchronized long nextScanMs(long nowNanos) {
        return gapMs(nowNanos - lastActivityNanos, !seenOnce.isEmpty() || !orphans.isEmpty());
    }

    /** {@link #SCAN_MS}, or as long as the quiet has lasted up to {@link #QUIET_SCAN_MS} (see there). */
    static long gapMs(long quietNanos, boolean unexplained) {
        return unexplained ? SCAN_MS
                : Math.max(SCAN_MS, Math.min(QUIET_SCAN_MS, TimeUnit.NANOSECONDS.toMillis(quietNanos)));
    }

    /** The last launch's or end's instant (System.nanoTime). */
    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Brings the next periodic scan forward to within {@link #SCAN_MS} when it is further away (activity). */
    private void nextScanWithinASecond() {
        // a scan that has begun cannot be cancelled: it schedules the next one itself, after this
        // activity (both hold this lock), so there is still one chain of scans
        if (!closed && scans.getDelay(TimeUnit.MILLISECONDS) > SCAN_MS && scans.cancel(false)) {
            scans = timers.schedule(this::periodicScan, SCAN_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (RuntimeException e) {
            // a failed scan is retried by the next one
        }
    }

    /** One pass: confirm newly adopted children, reap adopted zombies, stop orphans whose sessions ended. */
    synchronized void scan() {
        scan(false);
    }

    /**
     * @param closing launches have ended: a child no longer needs to be half a second old to be
     *                taken for adopted (the age rule covers a launch not yet registered)
     */
    private void scan(boolean closing) {
        long nowTicks = BootTicks.now();
        Map<Long, Long> now = new HashMap<>();
        for (ProcStat p : SelfChildren.list(pid -> !launches.contains(pid))) {
            if (p.ppid() != SELF || p.session() == selfSession || launches.contains(p.pid())) {
                continue;
            }
            now.put(p.pid(), p.startTicks());
            Orphan known = orphans.get(p.pid());
            boolean confirmed = (known != null && known.startTicks == p.startTicks())
                    || (Long.valueOf(p.startTicks()).equals(seenOnce.get(p.pid()))
                    && (closing || nowTicks - p.startTicks() >= BootTicks.HZ / 2));
            if (!confirmed) {
                continue;
            }
            if (p.dead()) {
                reap(p.pid());
                orphans.remove(p.pid());
                continue;
            }
            if (known == null) {
                String tag = ProcFs.environValue(p.pid(), SessionEnv.SESSION_ID);
                orphans.put(p.pid(), new Orphan(p.pid(), p.startTicks(), attribution.owners(tag, p.startTicks())));
            }
        }
        seenOnce = now;
        orphans.keySet().retainAll(now.keySet());
        for (Orphan o : orphans.values()) {
            if (o.stop == null && attribution.due(o.owners)) {
                stop(o);
            }
        }
        journal.write(orphans.values().stream().map(o -> new long[] {o.pid, o.startTicks}).toList());
    }

    private void stop(Orphan o) {
        o.stop = new TreeKill("orphan " + o.pid + " (adopted)", new SessionMembers(o.pid, o.startTicks, null),
                timers).start(grace);
    }

    private void reap(long pid) {
        Memory info = new Memory(SIGINFO_BYTES);
        info.clear();
        libc.waitid(ContainmentLibC.P_PID, (int) pid, info, ContainmentLibC.WEXITED | ContainmentLibC.WNOHANG);
    }

    /**
     * At the runner's stop: stops every adopted orphan whose sessions have all ended (two scans,
     * so a just-adopted one is confirmed too) and waits, bounded, until they are gone and reaped.
     */
    void close() {
        synchronized (this) {
            closed = true;
            scans.cancel(false);
        }
        List<CompletableFuture<Integer>> stops = new ArrayList<>();
        synchronized (this) {
            scan(true);
            scan(true);
            orphans.values().stream().filter(o -> o.stop != null).forEach(o -> stops.add(o.stop));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
                    .get(grace.toMillis() + TreeKill.KILL_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            // reported by nobody: the runner is exiting; a restart's reconciliation reads the journal
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            scan(true);
            scan(true);
        }
        // a JVM that goes on (tests) must not collect orphans nobody reaps any more
        libc.prctl(ContainmentLibC.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    }
}
