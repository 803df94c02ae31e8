package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What keeps a runner's descendants from escaping their session (docs/containment.md): the runner
 * is always a child subreaper ({@link Subreaper}), and where it may create cgroup v2 directories
 * (root, or a delegated subtree) each launch also gets a cgroup of its own under the runner's
 * ({@link CgroupContainment}), stopped with {@code cgroup.kill}. One per process: {@link #start}
 * at the runner's start, {@link #close} at its stop; launchers ask {@link #place} for each launch
 * and get {@link Placement#NONE} while no runner has started (tests, one-shot commands).
 * {@code SMART_RUNNER_CONTAINMENT=subreaper} (or {@code -Dsmartrunner.containment=subreaper})
 * forces the subreaper-only fallback; the default is {@code auto}.
 */
public final class Containment implements AutoCloseable {
    public static final String ENV = "SMART_RUNNER_CONTAINMENT";
    public static final String PROPERTY = "smartrunner.containment";
    private static volatile Containment active;
    /** How long a stop waits for its last cgroups (a browser just closed) to empty before removing them. */
    private static final long CLOSE_WAIT_NANOS = 1_000_000_000L;

    private final String runnerId;
    private final CgroupContainment cgroups;
    private final CgroupJoin join;
    private final String cgroupsUnavailable;
    private final Subreaper subreaper;
    private final List<long[]> leftoverOrphans;
    private final java.util.concurrent.ScheduledExecutorService timers;
    private final LeftoverLines leftoverLines;
    private final CgroupRemovals removals;

    private Containment(String runnerId, CgroupContainment cgroups, CgroupJoin join, String cgroupsUnavailable,
                        Subreaper subreaper, List<long[]> leftoverOrphans,
                        java.util.concurrent.ScheduledExecutorService timers, Consumer<String> say) {
        this.runnerId = runnerId;
        this.cgroups = cgroups;
        this.join = join;
        this.cgroupsUnavailable = cgroupsUnavailable;
        this.subreaper = subreaper;
        this.leftoverOrphans = leftoverOrphans;
        this.timers = timers;
        this.leftoverLines = new LeftoverLines(say, timers);
        this.removals = new CgroupRemovals(timers);
    }

    /**
     * Becomes a subreaper, creates the runner's cgroup when allowed, and makes both active for the
     * launches that follow.
     *
     * @param grace how long an adopted orphan gets between SIGTERM and SIGKILL
     * @param say   where a kill of what a session left in its cgroup is reported (one line, one a minute at
     *              most: {@link LeftoverLines})
     * @throws io.smartrunner.SmartRunnerException when SMART_RUNNER_CONTAINMENT has an unknown value
     *         (exit code 2), or prctl fails
     */
    public static Containment start(String runnerId, Path dataDir, Duration grace, Consumer<String> say) {
        return start(runnerId, dataDir, grace, CgroupJoin.find(), say);
    }

    /** {@link #start} with launches joining their cgroups through {@code join}. */
    static synchronized Containment start(String runnerId, Path dataDir, Duration grace, CgroupJoin join,
                                          Consumer<String> say) {
        boolean cgroupsWanted = cgroupsWanted();
        OrphanJournal journal = new OrphanJournal(dataDir);
        List<long[]> leftovers = journal.read();
        java.util.concurrent.ScheduledExecutorService timers = ProcessTimers.shared();
        Subreaper subreaper = Subreaper.start(timers, grace, journal);
        CgroupContainment cgroups = null;
        String reason = "disabled by " + ENV + "=subreaper";
        if (cgroupsWanted) {
            try {
                cgroups = CgroupContainment.create(runnerId);
                reason = null;
            } catch (ProcessException e) {
                reason = e.getMessage();
            }
        }
        Containment c = new Containment(runnerId, cgroups, join, reason, subreaper, leftovers, timers, say);
        active = c;
        return c;
    }

    /** The active containment's placement for one launch; {@link Placement#NONE} when no runner started one. */
    static Placement place(LaunchSpec spec) {
        Containment c = active;
        if (c == null) {
            return Placement.NONE;
        }
        SessionCgroup cgroup = null;
        if (c.cgroups != null) {
            try {
                cgroup = c.cgroups.forLaunch(spec.sessionId());
            } catch (IOException e) {
                // this launch goes without a cgroup: the subreaper still catches its orphans
            }
        }
        return new Placement(spec.sessionId(), cgroup, c.join, c.subreaper, c.timers, c.removals,
                c.cgroups == null ? null : c.cgroups.sessions(), c.cgroups != null && c.cgroups.nativeClones(), c.leftoverLines);
    }

    /**
     * For the start line, e.g. {@code cgroup v2 (/sys/fs/cgroup/smart-runner-…, joined through
     * sr-cgroup-exec) + subreaper}.
     */
    public String describe() {
        return (cgroups != null ? "cgroup v2 (" + cgroups.root() + ", " + entry(join, cgroups.nativeClones()) + ") + subreaper"
                : "subreaper (cgroups unavailable: " + cgroupsUnavailable + ")") + helpersNotTaken();
    }

    /** "; libsr-spawn.so not taken: owner …" for each native helper beside the jar the runner refused, or "". */
    private static String helpersNotTaken() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of(NativeSpawn.LIBRARY, CgroupJoin.PROGRAM, ProcessWatchdog.DEATH_WATCH)) {
            String why = CgroupJoin.notTakenBecause(CgroupJoin.besideCode(name));
            if (why != null) {
                b.append("; ").append(why);
            }
        }
        return b.toString();
    }

    /**
     * The cgroup a previous runner with this id gave a launch that this runner took over (a browser
     * kept across runners), so its stop ends with cgroup.kill too; null when there is none.
     */
    static SessionCgroup existingCgroup(String sessionId) {
        Containment c = active;
        if (c == null || c.cgroups == null || sessionId == null) {
            return null;
        }
        Path dir = c.cgroups.root().resolve(CgroupContainment.safeName(sessionId));
        return Files.isDirectory(dir) ? new SessionCgroup(dir) : null;
    }

    /** The runner's containment, null when none started (for {@link ProcessWatchdog}). */
    static Containment active() {
        return active;
    }

    Subreaper subreaper() {
        return subreaper;
    }

    /** The runner's cgroup directory; null when cgroups are unavailable. */
    /** The store's runner id, the SR_RUNNER_ID every launch carries (for {@link ProcessWatchdog}). */
    String runnerId() {
        return runnerId;
    }

    Path cgroupRoot() {
        return cgroups == null ? null : cgroups.root();
    }

    /** The pool sessions' cgroups come from; null without cgroups (tests). */
    CgroupPool sessionCgroups() {
        return cgroups == null ? null : cgroups.sessions();
    }

    /** What {@link #start} would choose on this machine, without starting anything (for {@code status}). */
    public static String wouldUse(String runnerId) {
        return wouldChoose(runnerId) + helpersNotTaken();
    }

    private static String wouldChoose(String runnerId) {
        if (!cgroupsWanted()) {
            return "subreaper (cgroups unavailable: disabled by " + ENV + "=subreaper)";
        }
        Optional<String> reason = CgroupContainment.unavailableReason(runnerId);
        if (reason.isPresent()) {
            return "subreaper (cgroups unavailable: " + reason.get() + ")";
        }
        // the id as given: status names the directory even before a store (and its id) exists
        return "cgroup v2 (" + CgroupV2Location.own().resolve(CgroupContainment.PREFIX) + runnerId
                + ", " + entry(CgroupJoin.find(), NativeSpawn.available()) + ") + subreaper";
    }

    /** How a launch's child gets into its cgroup, for {@link #describe} and {@link #wouldUse}. */
    private static String entry(CgroupJoin join, boolean nativeClones) {
        if (nativeClones && PosixSpawnLauncher.available()) {
            return "cloned into it by " + NativeSpawn.LIBRARY;
        }
        return Placement.clonesIntoCgroup() ? "cloned into it" : "joined through " + join.describe();
    }

    /**
     * After a crash: kills what the previous runner with this id left in its cgroups and the
     * orphans it had adopted (still alive with the recorded start time), except processes
     * {@code keep} accepts (a browser kept across runners).
     *
     * @return how many cgroups and orphans were killed
     */
    static int stopLeftovers(String runnerId, Predicate<Long> keep, Duration grace) {
        int stopped = CgroupContainment.killLeftovers(runnerId, keep);
        Containment c = active;
        if (c != null && c.runnerId.equals(runnerId)) {
            // all at once (ProcFsProcessTable.stopSessions says why), then waited for
            List<CompletableFuture<Integer>> stops = new ArrayList<>();
            for (long[] o : c.leftoverOrphans) {
                Optional<ProcStat> now = ProcFs.stat(o[0]);
                if (now.isPresent() && now.get().startTicks() == o[1] && !now.get().dead() && !keep.test(o[0])) {
                    stops.add(new TreeKill("orphan " + o[0] + " of a previous runner", new SessionMembers(o[0], o[1], null),
                            c.timers).start(grace).exceptionally(e -> 0));
                    stopped++;
                }
            }
            stops.forEach(CompletableFuture::join);
            c.leftoverOrphans.clear();
        }
        return stopped;
    }

    /**
     * At the run's end, before the runner says it stopped: the last ends' leftovers killed and said,
     * then what the minute's limit held back (reviewer R14: said after "stopped", it read as work
     * done after the stop). Again at {@link #close}, for what ended since; each count is said once.
     */
    public void sayLeftovers() {
        removals.runNow();
        leftoverLines.sayHeldBack();
    }

    /** Stops the adopted orphans, removes the runner's empty cgroups; launches that follow are not contained. */
    @Override
    public void close() {
        synchronized (Containment.class) {
            if (active == this) {
                active = null;
            }
        }
        sayLeftovers();
        subreaper.close();
        if (cgroups != null) {
            // a browser closed just before may still be exiting: its cgroup empties within moments;
            // one that stays populated (a browser kept across runs) stays, and so does the root
            long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cgroups.root(), Files::isDirectory)) {
                dirs.forEach(d -> removeSoon(new SessionCgroup(d), deadline));
            } catch (IOException e) {
                // gone already
            }
            new SessionCgroup(cgroups.root()).remove();
        }
    }

    /** Removes the cgroup once empty, polling until {@code deadline} at most. */
    private static void removeSoon(SessionCgroup group, long deadline) {
        while (group.populated() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        group.remove();
    }

    private static boolean cgroupsWanted() {
        String value = System.getProperty(PROPERTY, System.getenv().getOrDefault(ENV, "auto"));
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "" -> true;
            case "subreaper" -> false;
            default -> throw new io.smartrunner.SmartRunnerException(ENV + " (or -D" + PROPERTY + ") is '" + value
                    + "'; expected \"auto\" or \"subreaper\"", null, 2);
        };
    }
}
