package io.smartrunner.process;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a launch's child joins its cgroup before its command's first instruction, on a glibc
 * without {@code posix_spawnattr_setcgroup_np}: the launch starts a small program that writes its
 * own pid into cgroup.procs and then execs the command in the same pid. That program is
 * {@code sr-cgroup-exec} (src/main/c, built next to the jar by bin/build-cgroup-exec) when it is
 * there, else a {@code /bin/sh} one-liner that does the same for one dynamically linked exec more
 * (about 0.5 ms of CPU per session on the development machine, against 0.06). Immutable.
 */
final class CgroupJoin {
    static final String PROGRAM = "sr-cgroup-exec";
    private static final String SH = "/bin/sh";
    /**
     * $0 is the cgroup.procs file, "$@" the command; a failed write must not stop the launch. The
     * shell would export PWD as its working directory: the command gets the environment it was
     * given, with PWD as given ($1) or absent.
     */
    private static final String JOIN_THEN_EXEC = "{ echo $$ >\"$0\"; } 2>/dev/null; unset PWD; exec \"$@\"";
    private static final String JOIN_THEN_EXEC_PWD = "{ echo $$ >\"$0\"; } 2>/dev/null; PWD=$1; shift; exec \"$@\"";
    private static final int ELF_HEADER_BYTES = 20;
    private static final int EM_X86_64 = 62;

    private final Path program;

    private CgroupJoin(Path program) {
        this.program = program;
    }

    /** sr-cgroup-exec next to the runner's jar (or its classes directory) when it is a usable one, else the shell. */
    static CgroupJoin find() {
        Path next = besideCode(PROGRAM);
        return next != null && runsHere(next) ? new CgroupJoin(next) : shell();
    }

    /** The /bin/sh one-liner. */
    static CgroupJoin shell() {
        return new CgroupJoin(null);
    }

    /** For the start line and {@code status}: what a launch joins its cgroup through. */
    String describe() {
        return program != null ? PROGRAM : SH;
    }

    /** Whether {@link #command} can wrap a command here (the shell may be missing in a bare container). */
    boolean usable() {
        return program != null || Files.isExecutable(Path.of(SH));
    }

    /**
     * The command line that joins the cgroup of {@code procs} and then execs {@code command}.
     *
     * @param executable the file to exec for {@code command.get(0)}, as the launcher resolved it
     *                   on PATH (the shell looks the name up again, the same way)
     * @param pwd        PWD in the child's environment, or null (only the shell would change it)
     */
    List<String> command(Path procs, String executable, List<String> command, String pwd) {
        List<String> argv = new ArrayList<>(command.size() + 5);
        if (program != null) {
            argv.addAll(List.of(program.toString(), procs.toString(), executable));
        } else {
            argv.addAll(pwd == null ? List.of(SH, "-c", JOIN_THEN_EXEC, procs.toString())
                    : List.of(SH, "-c", JOIN_THEN_EXEC_PWD, procs.toString(), pwd));
        }
        argv.addAll(command);
        return argv;
    }

    /**
     * Whether anyone but root and the runner's own user may change the file: group or others may
     * write it, or another user owns it (its owner can chmod it at will: reviewer R6 had a root
     * runner load a library another user owned), or its mode cannot be read. Then the runner does
     * not take it.
     */
    static boolean othersMayWrite(Path path) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            Object owner = Files.getAttribute(path, "unix:uid");
            boolean ownedByUsOrRoot = Integer.valueOf(0).equals(owner)
                    || owner.equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            return !ownedByUsOrRoot || mode.contains(PosixFilePermission.GROUP_WRITE)
                    || mode.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    /**
     * Why a native helper that is beside the jar is not taken for who may change it (another user
     * owns it, group or others may write it, it is a link), for the start line: else the runner
     * went the slower way without a word (reviewer R7). Null when it is taken on that count, or
     * not there at all.
     */
    static String notTakenBecause(Path file) {
        if (file == null || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (Files.isSymbolicLink(file)) {
            return file + " not taken: a symbolic link (it could be pointed elsewhere)";
        }
        if (!othersMayWrite(file)) {
            return null;
        }
        try {
            return file + " not taken: owner " + Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName() + ", mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))
                    + " (root or this runner's user must own it, and no group or others may write it)";
        } catch (IOException | UnsupportedOperationException e) {
            return file + " not taken: its owner and mode cannot be read (" + e.getMessage() + ")";
        }
    }

    /** {@code name} in the directory holding the runner's jar (or, in a build, target/classes: its parent), or null. */
    static Path besideCode(String name) {
        try {
            Path code = Path.of(CgroupJoin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = code.getParent();
            return dir == null ? null : dir.resolve(name);
        } catch (URISyntaxException | RuntimeException e) {
            return null; // no file behind the code (a custom class loader): the shell
        }
    }

    /**
     * An executable x86-64 ELF file (what bin/build-cgroup-exec writes, for this machine) that only
     * its owner can change: it runs with every session, as the runner's user (often root), so a
     * file others may rewrite while the runner runs is not taken. Its directory, like the jar's,
     * is the operator's to keep (bin/build-cgroup-exec writes it mode 0755 whatever the umask).
     */
    static boolean runsHere(Path file) {
        if (!"amd64".equals(System.getProperty("os.arch")) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || !Files.isExecutable(file) || othersMayWrite(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(ELF_HEADER_BYTES);
            return h.length == ELF_HEADER_BYTES && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F'
                    && h[4] == 2 && h[5] == 1 && (h[18] & 0xff | (h[19] & 0xff) << 8) == EM_X86_64;
        } catch (IOException e) {
            return false;
        }
    }
}
