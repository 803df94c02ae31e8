package io.smartrunner.process;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Starts each child with glibc's {@code posix_spawn} and {@code POSIX_SPAWN_SETSID}: the child
 * leads its own session and process group from its first instruction, with one exec (the JDK's
 * ProcessBuilder needs its spawn helper and, for a new session, util-linux setsid: two or three).
 * stdin is /dev/null, stdout and stderr are opened O_APPEND on the profile's log files by the
 * child itself, every other descriptor is closed (whether or not it is close-on-exec: Java opens
 * files and sockets without it), signal mask and dispositions are reset to defaults, and no shell
 * is involved. Exit statuses come from one {@link PidfdReaper} thread for all children, so signal
 * deaths are told apart from exit codes exactly. Linux x86_64 with glibc 2.34+ and kernel 5.4+;
 * {@link #available()} says whether this machine qualifies. Thread-safe.
 */
public final class PosixSpawnLauncher implements ProcessLauncher {
    /** A child gets exactly stdin, stdout and stderr; everything from here up is closed. */
    private static final int FIRST_CLOSED_FD = 3;
    private static final String DEV_NULL = "/dev/null";
    private static volatile PidfdReaper sharedReaper;

    private final PidfdReaper reaper;
    private final ScheduledExecutorService timers;
    private final ChildEnvironment childEnv;
    /** Launches start through {@link NativeSpawn} (else glibc's posix_spawn). */
    private final boolean nativeSpawn;

    /** Children see this process's environment as {@link LaunchSpec#inherit()} allows. */
    public PosixSpawnLauncher() {
        this(ChildEnvironment.ofThisProcess(), ProcessTimers.shared());
    }

    /**
     * @param childEnv what of the runner's environment children may inherit
     * @param timers   runs the steps of {@link RunningProcess#stop}; one thread is plenty
     */
    public PosixSpawnLauncher(ChildEnvironment childEnv, ScheduledExecutorService timers) {
        this(childEnv, timers, NativeSpawn.available());
    }

    /** @param nativeSpawn start through {@link NativeSpawn} (when {@link NativeSpawn#available()}), else posix_spawn */
    PosixSpawnLauncher(ChildEnvironment childEnv, ScheduledExecutorService timers, boolean nativeSpawn) {
        this.childEnv = childEnv;
        this.nativeSpawn = nativeSpawn && NativeSpawn.available();
        if (!closesDescriptors()) {
            throw new ProcessException("posix_spawn cannot close the runner's descriptors in the child here "
                    + "(glibc older than 2.34): use OsProcessLauncher");
        }
        this.timers = timers;
        this.reaper = reaper();
    }

    /** The best launcher this machine supports: this one, else the pure-JDK {@link OsProcessLauncher}. */
    public static ProcessLauncher best() {
        return best(ChildEnvironment.ofThisProcess());
    }

    /** {@link #best()} with children's environment taken from {@code childEnv}. */
    public static ProcessLauncher best(ChildEnvironment childEnv) {
        return available() ? new PosixSpawnLauncher(childEnv, ProcessTimers.shared())
                : new OsProcessLauncher(childEnv, ProcessTimers.shared());
    }

    /** Whether posix_spawn with pidfd reaping works here (else use {@link OsProcessLauncher}). */
    public static boolean available() {
        try {
            return Platform.isLinux() && Platform.isIntel() && Platform.is64Bit() && closesDescriptors()
                    && SpawnLibC.linked() && PidfdReaper.supported();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether glibc can close the child's descriptors from 3 up between fork and exec. Without it
     * posix_spawn would hand every child the runner's open files and sockets (the HTTP listener
     * among them), so {@link #best()} then takes the JDK launcher, whose helper closes them.
     */
    static boolean closesDescriptors() {
        try {
            NativeLibrary.getInstance("c").getFunction("posix_spawn_file_actions_addclosefrom_np");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /**
     * Ends the reaper's thread before the JVM exits, which otherwise waits 0.3 s for it to leave
     * its native wait ({@link PidfdReaper}). Call only on the way out: launchers made before it
     * reap no more. Waits up to {@code waitMs}; does nothing when no child was ever launched.
     */
    public static void endReaping(long waitMs) throws InterruptedException {
        synchronized (PosixSpawnLauncher.class) {
            if (sharedReaper != null && sharedReaper.close(waitMs)) {
                sharedReaper = null;
            }
        }
    }

    private static PidfdReaper reaper() {
        synchronized (PosixSpawnLauncher.class) {
            if (sharedReaper == null) {
                sharedReaper = new PidfdReaper();
            }
            return sharedReaper;
        }
    }

    @Override
    public RunningProcess launch(LaunchSpec spec) {
        if (spec.argv().isEmpty()) {
            throw new SpawnException("cannot start: empty command");
        }
        String program = spec.argv().get(0);
        // no stat of the directory nor of a program named by its path: the spawn fails with the
        // OS's errno, and SpawnCheck words that failure afterwards (explained): two to three system
        // calls fewer per launch. A bare name is looked up on PATH here, as execvp would.
        Path dir = SpawnCheck.startsIn(spec.workingDir());
        Map<String, String> env = childEnv.build(spec.inherit(), spec.env());
        Path executable = program.indexOf('/') >= 0 ? SpawnCheck.named(program, dir)
                : SpawnCheck.executable(program, dir, env.get("PATH"));
        SessionOutput output;
        try {
            output = SessionOutput.open(spec.output());
        } catch (IOException e) {
            throw SpawnCheck.cannotStart(program, SpawnCheck.reason(e));
        }
        Placement placement = Containment.place(spec);
        List<String> argv = placement.command(spec.argv(), executable.toString(),
                nativeSpawn ? Placement.Spawn.NATIVE : Placement.Spawn.POSIX_SPAWN, env.get("PWD"));
        if (argv != spec.argv()) {
            executable = Path.of(argv.get(0));
        }
        long[] forked = null;
        try {
            forked = nativeSpawn ? spawnNatively(program, executable, argv, env, dir, spec.output(), placement)
                    : spawn(program, executable, argv, env, dir, spec.output(), placement);
        } catch (SpawnException e) {
            throw SpawnCheck.explained(e, program, spec.workingDir(), env.get("PATH"));
        } finally {
            if (forked == null) {
                placement.spawned(-1, -1, null);
            }
        }
        long pid = forked[0];
        long startTicks = forked[1] >= 0 ? forked[1] : ProcFs.startTicks(pid);
        placement.known(pid);
        CompletableFuture<ExitStatus> exit = nativeSpawn ? reaper.watch(pid, (int) forked[2]) : reaper.watch(pid);
        if (placement.wrapped()) {
            // the joining program (sr-cgroup-exec or the shell) execs the command: a program gone or no
            // longer executable by then is its exit 126/127, a spawn failure (the runner's side), not the session's
            String path = env.get("PATH");
            exit = exit.thenApply(st -> SpawnCheck.execFailure(st, program, dir, path));
        }
        exit = placement.spawned(pid, startTicks, exit);
        return new OsRunningProcess(pid, exit, startTicks, spec.sessionId(), output, timers, placement);
    }

    /** @return the child's pid, its start time ({@link BootTicks#startTicksBetween}, -1 when unknown) and its pidfd */
    private long[] spawnNatively(String program, Path executable, List<String> argv, Map<String, String> env, Path dir,
                                 OutputFiles files, Placement placement) {
        List<String> envp = new ArrayList<>(env.size());
        env.forEach((k, v) -> envp.add(k + "=" + v));
        int cgroupFd = placement.cloneFd();
        NativeSpawn.Child child = null;
        try {
            child = NativeSpawn.spawn(program, executable.toString(), argv, envp,
                    files.stdout().toAbsolutePath().toString(), files.stderr().toAbsolutePath().toString(),
                    dir.toString(), FileModes.fileMode(), cgroupFd, placement::killedAtClone);
        } finally {
            placement.cloneDone(child != null);
        }
        placement.afterSpawn(child.pid());
        return new long[] {child.pid(), child.startTicks(), child.pidfd()};
    }

    /** @return the child's pid and its start time ({@link BootTicks#startTicksBetween}, -1 when unknown) */
    private long[] spawn(String program, Path executable, List<String> argv, Map<String, String> env, Path dir,
                         OutputFiles files, Placement placement) {
        String path = executable.toString();
        String stdout = files.stdout().toAbsolutePath().toString();
        String stderr = files.stderr().toAbsolutePath().toString();
        String workDir = dir.toString();
        List<String> envp = new ArrayList<>(env.size());
        env.forEach((k, v) -> envp.add(k + "=" + v));
        SpawnArena arena = SpawnArena.sizedFor(List.of(path, DEV_NULL, stdout, stderr, workDir), List.of(argv, envp),
                LibC.OPAQUE_BYTES, LibC.OPAQUE_BYTES, LibC.SIGSET_BYTES, LibC.SIGSET_BYTES, Integer.BYTES);
        Pointer actions = arena.bytes(LibC.OPAQUE_BYTES);
        Pointer attr = arena.bytes(LibC.OPAQUE_BYTES);
        Pointer noSignals = arena.bytes(LibC.SIGSET_BYTES);
        Pointer allSignals = arena.bytes(LibC.SIGSET_BYTES);
        Pointer pid = arena.bytes(Integer.BYTES);
        SpawnLibC.posix_spawn_file_actions_init(actions);
        SpawnLibC.posix_spawnattr_init(attr);
        try {
            SpawnLibC.posix_spawn_file_actions_addopen(actions, 0, arena.string(DEV_NULL), LibC.O_RDONLY, 0);
            SpawnLibC.posix_spawn_file_actions_addopen(actions, 1, arena.string(stdout),
                    LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, FileModes.fileMode());
            SpawnLibC.posix_spawn_file_actions_addopen(actions, 2, arena.string(stderr),
                    LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, FileModes.fileMode());
            int closing = SpawnLibC.posix_spawn_file_actions_addclosefrom_np(actions, FIRST_CLOSED_FD);
            if (closing != 0) { // never spawn a child that would hold the runner's files and sockets
                throw SpawnCheck.cannotStart(program, closing);
            }
            SpawnLibC.posix_spawn_file_actions_addchdir_np(actions, arena.string(workDir));
            SpawnLibC.sigemptyset(noSignals);
            SpawnLibC.sigfillset(allSignals);
            SpawnLibC.posix_spawnattr_setsigmask(attr, noSignals);
            SpawnLibC.posix_spawnattr_setsigdefault(attr, allSignals);
            SpawnLibC.posix_spawnattr_setflags(attr, (short) (LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK
                    | LibC.POSIX_SPAWN_SETSIGDEF));
            placement.beforeSpawn(attr);
            Pointer file = arena.string(path);
            Pointer args = arena.array(argv);
            Pointer environment = arena.array(envp);
            long before = BootTicks.nanos();
            int rc = SpawnLibC.posix_spawn(pid, file, actions, attr, args, environment);
            long after = BootTicks.nanos();
            if (rc != 0) {
                throw SpawnCheck.cannotStart(program, rc);
            }
            placement.afterSpawn(pid.getInt(0));
            return new long[] {pid.getInt(0), BootTicks.startTicksBetween(before, after)};
        } finally {
            SpawnLibC.posix_spawnattr_destroy(attr);
            SpawnLibC.posix_spawn_file_actions_destroy(actions);
        }
    }
}
