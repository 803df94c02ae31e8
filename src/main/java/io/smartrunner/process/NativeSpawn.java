package io.smartrunner.process;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runner's own spawn, {@code libsr-spawn.so} (src/main/c/sr-spawn.c, built next to the jar by
 * bin/build-spawn-lib): what {@link PosixSpawnLauncher} asks of glibc's posix_spawn, plus the child
 * cloned straight into its cgroup (no sr-cgroup-exec in front of the command), its pidfd from the
 * clone, and a descriptor table of three instead of a copy of the runner's. Used when the library
 * is beside the code, only its owner may change it (it runs inside the runner, often as root),
 * and a probe child started through it at first use ran and exited 0; else posix_spawn. Children
 * are cloned into cgroups only where {@link #clonesInto} found it works; elsewhere they join
 * theirs through sr-cgroup-exec as with posix_spawn.
 * {@code SR_SPAWN=posix} in the runner's environment keeps to posix_spawn. Thread-safe.
 */
final class NativeSpawn {
    static final String LIBRARY = "libsr-spawn.so";
    private static final String DEV_NULL = "/dev/null";
    private static final int CLD_EXITED = 1;
    private static final int SIGINFO_BYTES = 128;
    private static final int ECHILD = 10;

    private NativeSpawn() {
    }

    /** Whether launches start through the library here (probed once). */
    static boolean available() {
        return Probe.WORKS;
    }

    private static final class Probe {
        static final boolean WORKS = probe();
    }

    private static native long sr_spawn(Pointer path, Pointer argv, Pointer envp, Pointer in, Pointer out,
                                        Pointer err, Pointer dir, int mode, int cgroupFd, Pointer pidfd);

    /** A started child: its pid and pidfd, and its start time as {@link BootTicks#startTicksBetween} gives it (-1 unknown). */
    record Child(long pid, int pidfd, long startTicks) {
    }

    /**
     * Starts {@code executable} with {@code argv} and {@code env}: stdin /dev/null, stdout and
     * stderr appended to the two files (made with {@code mode}), in {@code dir}, a session of its
     * own, default signal dispositions and an empty mask, in the cgroup {@code cgroupFd} (-1: the
     * runner's).
     *
     * @param killedAtClone run when the child was killed before its first instruction as it was
     *                      cloned into {@code cgroupFd}'s cgroup: a kernel does that to a cgroup
     *                      killed before ({@link SessionCgroup#cloneable()})
     * @throws SpawnException with the errno of the step that failed (the child, if any, reaped)
     */
    static Child spawn(String program, String executable, List<String> argv, List<String> env, String stdout,
                       String stderr, String dir, int mode, int cgroupFd, Runnable killedAtClone) {
        if (!available()) {
            throw new SpawnException("cannot start " + program + ": " + LIBRARY + " is not usable here");
        }
        return start(program, executable, argv, env, stdout, stderr, dir, mode, cgroupFd, killedAtClone);
    }

    /** {@link #spawn}, once the library is registered (the probe's own spawn comes here). */
    private static Child start(String program, String executable, List<String> argv, List<String> env,
                               String stdout, String stderr, String dir, int mode, int cgroupFd,
                               Runnable killedAtClone) {
        List<String> slotted = new ArrayList<>(argv.size() + 1);
        slotted.add(executable); // argv[-1]: the spare slot for /bin/sh, if the file is a script without #!
        slotted.addAll(argv);
        SpawnArena arena = SpawnArena.sizedFor(List.of(executable, DEV_NULL, stdout, stderr, dir),
                List.of(slotted, env), Integer.BYTES);
        Pointer pidfd = arena.bytes(Integer.BYTES);
        Pointer file = arena.string(executable);
        Pointer in = arena.string(DEV_NULL);
        Pointer out = arena.string(stdout);
        Pointer err = arena.string(stderr);
        Pointer cwd = arena.string(dir);
        Pointer args = arena.array(slotted).share(Native.POINTER_SIZE);
        Pointer environment = arena.array(env);
        long before = BootTicks.nanos();
        long pid = sr_spawn(file, args, environment, in, out, err, cwd, mode, cgroupFd, pidfd);
        long after = BootTicks.nanos();
        if (pid == -ECHILD && cgroupFd >= 0) {
            killedAtClone.run();
            throw new SpawnException("cannot start " + program + ": killed as it was cloned into its cgroup,"
                    + " which was killed before (the next launch gets another cgroup)");
        }
        if (pid < 0) {
            throw SpawnCheck.cannotStart(program, (int) -pid);
        }
        return new Child(pid, pidfd.getInt(0), BootTicks.startTicksBetween(before, after));
    }

    /**
     * Whether a child cloned into a fresh cgroup under {@code root} runs: not where the runner's own
     * cgroup has been killed (a kernel that counts kills kills such a clone at once,
     * {@link SessionCgroup#cloneable()}), nor where the library does not work. One spawn of
     * /bin/true in a probe cgroup, made and removed.
     */
    static boolean clonesInto(Path root) {
        if (!available()) {
            return false;
        }
        Path probe = root.resolve("clone-probe-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(probe);
        } catch (java.io.IOException e) {
            return false;
        }
        SessionCgroup group = new SessionCgroup(probe);
        try {
            int fd = group.openDirectory();
            if (fd < 0) {
                return false;
            }
            try {
                return runsTrue(fd);
            } finally {
                ProcLibC.close(fd);
            }
        } finally {
            group.remove();
        }
    }

    /** Starts /bin/true (in cgroup {@code cgroupFd}, or -1) and tells whether it exited 0. */
    private static boolean runsTrue(int cgroupFd) {
        try {
            Child c = start("/bin/true", "/bin/true", List.of("true"), List.of(), DEV_NULL, DEV_NULL, "/", 0600,
                    cgroupFd, () -> { });
            Memory info = new Memory(SIGINFO_BYTES);
            info.clear();
            int rc = ReaperLibC.waitid(LibC.P_PIDFD, c.pidfd(), info, LibC.WEXITED);
            ReaperLibC.close(c.pidfd());
            return rc == 0 && info.getInt(8) == CLD_EXITED && info.getInt(24) == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean probe() {
        if (!"amd64".equals(System.getProperty("os.arch")) || "posix".equals(System.getenv("SR_SPAWN"))) {
            return false;
        }
        Path library = CgroupJoin.besideCode(LIBRARY);
        if (library == null || !Files.isRegularFile(library, LinkOption.NOFOLLOW_LINKS) || CgroupJoin.othersMayWrite(library)) {
            return false;
        }
        try {
            Native.register(NativeSpawn.class, NativeLibrary.getInstance(library.toString()));
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
        return runsTrue(-1);
    }
}
