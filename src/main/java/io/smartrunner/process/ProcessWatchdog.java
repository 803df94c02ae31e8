package io.smartrunner.process;

import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Cluster mode's process fence (docs/cluster-fencing.md), and a single machine's death watch
 * ({@link #startDeathWatch}, docs/containment.md): a small bash process outside the JVM,
 * the runner's child, that kills every session tree (and the runner, if still alive) when the
 * runner dies, or when it is not fed for the timeout (a frozen JVM, a stuck engine loop), so a
 * runner's sessions are gone before its leases can expire and another machine take over.
 * <p>Why a process of its own and not {@code PR_SET_PDEATHSIG}: posix_spawn cannot set it, it
 * fires when the spawning <em>thread</em> ends, reaches only the direct child (not a browser's
 * helpers, nor a setsid daemon), and does nothing for a frozen JVM, which is alive. Why bash and
 * not a second JVM: a few hundred KiB instead of tens of MiB, no start-up time, and only pids, a
 * cgroup path and the runner id ever reach it (its argv and its stdin), never a shell string.
 * <p>It is told each launch's process group ({@link #launched}, from {@link Placement}) and the
 * runner's cgroup directory, killed with {@code cgroup.kill} when the runner has cgroups. The
 * feed and the process-group lines go down one pipe; the runner's death closes it (EOF). A launch
 * the runner dies too soon to tell of (between the spawn and {@link #launched}) is still found:
 * the watchdog also kills what carries the runner's id (SR_RUNNER_ID) and started before it fired. If the
 * watchdog itself dies, a new one is started and told the live process groups again. Thread-safe.
 */
public final class ProcessWatchdog implements AutoCloseable {
    private static final String SCRIPT = "/fencing/process-watchdog.bash";
    /**
     * The death watch as a small static program (src/main/c, built beside the jar by
     * bin/build-death-watch): about 0.7 MiB resident where bash holds 3.4, asleep in one read
     * beside every runner. Without it (no gcc, another architecture) the script does the same.
     */
    static final String DEATH_WATCH = "sr-death-watch";
    /** The bash watchdog's $0 (its name in ps). */
    private static final String BASH_NAME = "smart-runner-watchdog";
    private static final int MAX_RESTARTS = 10;
    /**
     * The watchdog leads a session of its own (util-linux's {@code setsid}, which execs in the same
     * pid: a child of the JVM never leads a group): in the runner's process group, a {@code kill
     * -STOP -<pgid>} (a shell's {@code kill -STOP %1}) froze the watchdog with the runner while the
     * sessions, each in a group of its own, ran on; after the TTL another runner started every one
     * of their profiles beside them (reviewer R12). Null where there is no {@code setsid}: the
     * watchdog then shares the runner's group, and the start line says so.
     */
    static final Path SETSID = java.util.stream.Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of)
            .filter(java.nio.file.Files::isExecutable).findFirst().orElse(null);
    private static volatile ProcessWatchdog active;

    private final long timeoutMs;
    private final String cgroup;
    private final String runnerId;
    private final Consumer<String> say;
    private final Set<Long> groups = ConcurrentHashMap.newKeySet();
    /** The death watch's program, or null: bash and {@link #SCRIPT}. */
    private final Path program;
    /** The data dir's lock file, told to {@link #DEATH_WATCH}; null for bash. */
    private final Path lockFile;
    private Process process;
    private OutputStream pipe;
    private int restarts;
    private boolean closed;

    private ProcessWatchdog(long timeoutMs, Path program, Path lockFile, Path cgroup, String runnerId,
            Consumer<String> say) {
        this.timeoutMs = timeoutMs;
        this.program = program;
        this.lockFile = lockFile;
        this.cgroup = cgroup == null ? "-" : cgroup.toString();
        this.runnerId = runnerId == null ? "-" : runnerId;
        this.say = say;
    }

    /**
     * Starts the watchdog for this runner, with the active {@link Containment}'s cgroup (if any),
     * and makes it the one later launches are reported to.
     *
     * @throws SmartRunnerException (exit 1) when bash cannot be started
     */
    public static synchronized ProcessWatchdog start(long timeoutMs, Consumer<String> say) {
        ProcessWatchdog w = spawned(timeoutMs, null, null, say, "bash, needed in cluster mode");
        active = w;
        return w;
    }

    /**
     * A single machine's death watch: the same process, never fed, that kills the runner's
     * sessions, browsers and steps only when the runner dies without having stopped them (a
     * {@code kill -9}, a crash), as DESIGN §2c promises: no descendant outlives the runner. Before
     * session 48 they ran on unsupervised, past their timeouts, until a next start reconciled them
     * (reviewer R15). Launches are not told of (no line per session on the hot path): the runner's
     * cgroup ({@code cgroup.kill}) and its id in every launch's environment (SR_RUNNER_ID) find them.
     * A frozen runner is left alone: no other runner takes its profiles over. {@code lockFile} is the
     * data dir's: a dead runner's emptied cgroups are removed while no runner holds it.
     *
     * @throws SmartRunnerException (exit 1) when neither {@link #DEATH_WATCH} nor bash can be started
     */
    public static synchronized ProcessWatchdog startDeathWatch(Path lockFile, Consumer<String> say) {
        Path program = CgroupJoin.besideCode(DEATH_WATCH);
        return spawned(0, program != null && CgroupJoin.runsHere(program) ? program : null,
                lockFile.toAbsolutePath(), say, DEATH_WATCH + " or bash");
    }

    /** A watchdog for the active {@link Containment}'s cgroup and runner id, started. */
    private static ProcessWatchdog spawned(long timeoutMs, Path program, Path lockFile, Consumer<String> say,
            String what) {
        Containment c = activeContainment();
        ProcessWatchdog w = new ProcessWatchdog(timeoutMs, program, lockFile, c == null ? null : c.cgroupRoot(),
                c == null ? null : c.runnerId(), say);
        synchronized (w) {
            try {
                w.spawn();
            } catch (IOException e) {
                throw new SmartRunnerException("cannot start the process watchdog (" + what + "): " + e.getMessage(), e, 1);
            }
        }
        return w;
    }

    private static Containment activeContainment() {
        return Containment.active();
    }

    /** The watchdog's pid (for the start line and tests). */
    public synchronized long pid() {
        return process.pid();
    }

    /** For the start line, e.g. {@code process watchdog pid 123 (6000 ms, cgroup.kill of ...)}. */
    public synchronized String describe() {
        if (timeoutMs == 0) {
            return "process watchdog pid " + process.pid() + " (" + (program != null ? DEATH_WATCH : "bash") + "; kills "
                    + (cgroup.equals("-") ? "what carries the runner's id" : cgroup + " and what carries the runner's id")
                    + " if the runner dies without stopping them)";
        }
        return "process watchdog pid " + process.pid() + " (" + timeoutMs + " ms; kills "
                + (cgroup.equals("-") ? "the sessions' process groups" : cgroup + " and the sessions' process groups")
                + (SETSID == null ? "; in the runner's process group, no setsid program: a signal to the whole group"
                        + " (kill -STOP -PGID) stops it with the runner" : "")
                + ")";
    }

    /**
     * A sign of life from the engine loop: the watchdog's clock starts again. A watchdog that is
     * itself stopped (SIGSTOP) would fence nothing, and the runner would not notice until its pipe
     * filled (hours of feeds): it is killed, and {@link #restart} starts a new one.
     */
    public void feed() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (ProcFs.signalStopped(p.pid())) {
            say.accept("the process watchdog (pid " + p.pid() + ") is stopped; replacing it");
            p.destroyForcibly();
            return;
        }
        write("f\n");
    }

    /** A launch of ours started: its process group (its pid: each launch leads its own) dies with the runner. */
    static void launched(long pid) {
        ProcessWatchdog w = active;
        if (w != null && pid > 0) {
            w.groups.add(pid);
            w.write("+ " + pid + "\n");
        }
    }

    /** A launch ended (reaped): its group id is no longer ours to kill (its pid may be reused). */
    static void ended(long pid) {
        ProcessWatchdog w = active;
        if (w != null && w.groups.remove(pid)) {
            w.write("- " + pid + "\n");
        }
    }

    /**
     * The runner stopped every session itself (a graceful stop): the watchdog exits without killing
     * anything. Without this call, {@link #close} leaves it to kill what is left.
     */
    public synchronized void stoppedCleanly() {
        write("q\n");
        closePipe();
    }

    /** Stops reporting; closing the pipe makes the watchdog kill whatever launch is still alive. */
    @Override
    public synchronized void close() {
        closePipe();
    }

    private synchronized void closePipe() {
        closed = true;
        if (active == this) {
            active = null;
        }
        try {
            pipe.close();
        } catch (IOException e) {
            // it is gone already
        }
    }

    private synchronized void write(String line) {
        if (closed) {
            return;
        }
        try {
            pipe.write(line.getBytes(StandardCharsets.US_ASCII));
            pipe.flush();
        } catch (IOException e) {
            // it died: onExit starts a new one
        }
    }

    /**
     * Whether {@code argv} is a process watchdog's, started by the runner {@code runnerPid} for the
     * runner id {@code runnerId}: the arguments {@link #spawn} gives either kind.
     */
    static boolean watches(List<String> argv, long runnerPid, String runnerId) {
        int at = argv.indexOf(BASH_NAME);
        if (at >= 0 && argv.size() > at + 4) { // bash -c SCRIPT smart-runner-watchdog PID TIMEOUT CGROUP ID
            return argv.get(at + 1).equals(Long.toString(runnerPid)) && argv.get(at + 4).equals(runnerId);
        }
        // four arguments before session 52 (no lock file): a runner of an older build may still run
        return (argv.size() == 4 || argv.size() == 5) && (argv.get(0).equals(DEATH_WATCH) || argv.get(0).endsWith("/" + DEATH_WATCH))
                && argv.get(1).equals(Long.toString(runnerPid)) && argv.get(3).equals(runnerId);
    }

    private void spawn() throws IOException {
        List<String> command = new ArrayList<>();
        String runner = Long.toString(ProcessHandle.current().pid());
        if (program != null) { // it leads a session of its own itself (setsid(2))
            command.addAll(List.of(program.toString(), runner, cgroup, runnerId));
            if (lockFile != null) { // it removes the emptied cgroups only while no runner holds the data dir
                command.add(lockFile.toString());
            }
        } else {
            if (SETSID != null) {
                command.add(SETSID.toString());
            }
            command.addAll(List.of("bash", "-c", script(), BASH_NAME, runner, Long.toString(timeoutMs), cgroup,
                    runnerId));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().keySet().retainAll(Set.of("PATH", "LANG"));
        Process p = builder.start();
        process = p;
        pipe = p.getOutputStream();
        for (Long g : groups) {
            pipe.write(("+ " + g + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        pipe.flush();
        p.onExit().thenRun(() -> restart(p));
    }

    private synchronized void restart(Process gone) {
        if (closed || gone != process) {
            return;
        }
        if (restarts++ >= MAX_RESTARTS) {
            say.accept("the process watchdog died " + restarts + " times; running without one: " + (timeoutMs == 0
                    ? "a killed runner's sessions would run on until the next start (see docs/containment.md)"
                    : "a frozen runner's sessions would outlive its leases (see docs/cluster-fencing.md)"));
            closed = true;
            return;
        }
        String exited = "the process watchdog (pid " + gone.pid() + ") exited with " + gone.exitValue();
        try {
            spawn();
            say.accept(exited + "; started a new one: process watchdog pid " + process.pid());
        } catch (IOException e) {
            say.accept(exited + "; cannot start a new one: " + e.getMessage());
        }
    }

    private static String script() {
        try (InputStream in = ProcessWatchdog.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new SmartRunnerException("the process watchdog script " + SCRIPT + " is missing from the jar",
                        null, 1);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SmartRunnerException("cannot read " + SCRIPT + ": " + e.getMessage(), e, 1);
        }
    }
}
