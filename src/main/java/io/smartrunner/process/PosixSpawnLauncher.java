package io.smartrunner.process;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Starts each child with glibc's {@code posix_spawn} and {@code POSIX_SPAWN_SETSID}: the child
 * leads its own session and process group from its first instruction, with one exec (the JDK's
 * ProcessBuilder needs its spawn helper and, for a new session, util-linux setsid: two or three).
 * stdin is /dev/null, stdout and stderr are opened O_APPEND on the profile's log files by the
 * child itself, signal mask and dispositions are reset to defaults, and no shell is involved.
 * Exit statuses come from one {@link PidfdReaper} thread for all children, so signal deaths
 * are told apart from exit codes exactly. Linux x86_64 with glibc 2.29+ and kernel 5.4+;
 * {@link #available()} says whether this machine qualifies. Thread-safe.
 */
public final class PosixSpawnLauncher implements ProcessLauncher {
    private static final int LOG_MODE = 0644;
    private static final String UTF_8 = "UTF-8";
    private static volatile PidfdReaper sharedReaper;

    private final LibC libc = LibC.INSTANCE;
    private final PidfdReaper reaper;
    private final ScheduledExecutorService timers;
    private final Map<String, String> baseEnv = new HashMap<>(System.getenv());

    public PosixSpawnLauncher() {
        this(ProcessTimers.shared());
    }

    /** @param timers runs the steps of {@link RunningProcess#stop}; one thread is plenty */
    public PosixSpawnLauncher(ScheduledExecutorService timers) {
        this.timers = timers;
        this.reaper = reaper();
    }

    /** The best launcher this machine supports: this one, else the pure-JDK {@link OsProcessLauncher}. */
    public static ProcessLauncher best() {
        return available() ? new PosixSpawnLauncher() : new OsProcessLauncher();
    }

    /** Whether posix_spawn with pidfd reaping works here (else use {@link OsProcessLauncher}). */
    public static boolean available() {
        try {
            return Platform.isLinux() && Platform.isIntel() && Platform.is64Bit() && PidfdReaper.supported();
        } catch (LinkageError | RuntimeException e) {
            return false;
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
        Path dir = SpawnCheck.workingDir(program, spec.workingDir());
        Map<String, String> env = new HashMap<>(baseEnv);
        env.putAll(spec.env());
        Path executable = SpawnCheck.executable(program, dir, env.get("PATH"));
        SessionOutput output;
        try {
            output = SessionOutput.open(spec.output());
        } catch (IOException e) {
            throw SpawnCheck.cannotStart(program, SpawnCheck.reason(e));
        }
        Placement placement = Containment.place(spec);
        List<String> argv = placement.command(spec.argv(), true, env.get("PWD"));
        if (argv != spec.argv()) {
            executable = Path.of(argv.get(0));
        }
        long pid = -1;
        try {
            pid = spawn(program, executable, argv, env, dir, spec.output(), placement);
        } finally {
            if (pid < 0) {
                placement.spawned(-1, -1, null);
            }
        }
        long startTicks = ProcFs.stat(pid).map(ProcStat::startTicks).orElse(-1L);
        CompletableFuture<ExitStatus> exit = reaper.watch(pid);
        placement.spawned(pid, startTicks, exit);
        return new OsRunningProcess(pid, exit, startTicks, spec.sessionId(), output, timers);
    }

    private long spawn(String program, Path executable, List<String> argv, Map<String, String> env, Path dir,
                       OutputFiles files, Placement placement) {
        Memory actions = new Memory(LibC.OPAQUE_BYTES);
        Memory attr = new Memory(LibC.OPAQUE_BYTES);
        Memory noSignals = new Memory(LibC.SIGSET_BYTES);
        Memory allSignals = new Memory(LibC.SIGSET_BYTES);
        libc.posix_spawn_file_actions_init(actions);
        libc.posix_spawnattr_init(attr);
        try {
            libc.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0);
            libc.posix_spawn_file_actions_addopen(actions, 1, files.stdout().toAbsolutePath().toString(),
                    LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, LOG_MODE);
            libc.posix_spawn_file_actions_addopen(actions, 2, files.stderr().toAbsolutePath().toString(),
                    LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, LOG_MODE);
            libc.posix_spawn_file_actions_addchdir_np(actions, dir.toString());
            libc.sigemptyset(noSignals);
            libc.sigfillset(allSignals);
            libc.posix_spawnattr_setsigmask(attr, noSignals);
            libc.posix_spawnattr_setsigdefault(attr, allSignals);
            libc.posix_spawnattr_setflags(attr, (short) (LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK
                    | LibC.POSIX_SPAWN_SETSIGDEF));
            IntByReference pid = new IntByReference();
            String[] envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            placement.beforeSpawn(attr);
            int rc = libc.posix_spawn(pid, executable.toString(), actions, attr,
                    new StringArray(argv.toArray(String[]::new), UTF_8), new StringArray(envp, UTF_8));
            if (rc != 0) {
                throw SpawnCheck.cannotStart(program, libc.strerror(rc));
            }
            placement.afterSpawn(pid.getValue());
            return pid.getValue();
        } finally {
            libc.posix_spawnattr_destroy(attr);
            libc.posix_spawn_file_actions_destroy(actions);
        }
    }
}
