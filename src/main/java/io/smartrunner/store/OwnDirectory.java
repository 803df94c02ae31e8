package io.smartrunner.store;

import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A directory the runner writes into must be its own: another user who owns it, or may write
 * into it, could plant what the runner then writes through or reads as its own (a symlink where a
 * session log goes, a forged event log, a token, the native library SQLite loads), as reviewer R6
 * did with a data dir under {@code /tmp}. So must every directory above it, or that user could
 * swap the whole directory while the runner runs (reviewer R7): each is root's or the runner's
 * user's, and one that others may write is sticky (like {@code /tmp}, where no one may rename
 * another's entry). The rule of OpenSSH's StrictModes.
 */
public final class OwnDirectory {
    private static final int OTHERS_WRITE = 0002;
    private static final int GROUP_WRITE = 0020;
    private static final int STICKY = 01000;

    private OwnDirectory() {
    }

    /**
     * @param what how the config names it, for the message
     * @throws SmartRunnerException (exit 2) another user owns it or a directory above it, or others
     *                              (a group not the runner's) may write it or a non-sticky one above
     */
    static void require(Path dir, String what) throws IOException {
        if (!Files.getFileStore(dir).supportsFileAttributeView("unix")) {
            return; // no owners or modes to judge
        }
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // the effective user's
        String problem = problem(dir, false, self);
        if (problem != null) {
            throw refused(what, dir, dir + " " + problem);
        }
        Set<Path> above = new LinkedHashSet<>();
        // the path as written (a component may be a link another user could re-point) and as it resolves
        for (Path p = dir.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
            above.add(p);
        }
        for (Path p = dir.toRealPath().getParent(); p != null; p = p.getParent()) {
            above.add(p);
        }
        for (Path p : above) {
            String upper = problem(p, true, self);
            if (upper != null) {
                throw refused(what, dir, dir + ": the directory above it, " + p + ", " + upper);
            }
        }
    }

    private static SmartRunnerException refused(String what, Path dir, String problem) {
        return new SmartRunnerException(what + ": " + problem + ": another user could plant files there (or swap"
                + " the directory) that the runner writes through or reads as its own; use directories of root or this"
                + " user that others (and a group other than the runner's own) cannot write (chmod go-w, or another"
                + " directory)", null, 2);
    }

    /** Why {@code dir} is not the runner's to trust, or null. */
    private static String problem(Path dir, boolean above, int self) throws IOException {
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        int mode = (Integer) Files.getAttribute(dir, "unix:mode");
        if (uid != self && !(above && uid == 0)) {
            return "belongs to user " + Files.getOwner(dir).getName() + ", not to "
                    + (above ? "root or " : "") + "the user this runner runs as";
        }
        boolean othersWrite = (mode & OTHERS_WRITE) != 0 || ((mode & GROUP_WRITE) != 0 && !ofOwnGroup(dir));
        if (othersWrite && !(above && (mode & STICKY) != 0)) {
            return "may be written by group or others (" + java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir)) + ")";
        }
        return null;
    }

    /**
     * Whether the file's group is one of this process's: its effective group or a supplementary
     * one (Kubernetes' {@code fsGroup} is supplementary unless {@code runAsGroup} equals it, and it
     * makes the volume group-writable).
     */
    public static boolean ofOwnGroup(Path file) throws IOException {
        Object gid = Files.getAttribute(file, "unix:gid");
        if (gid.equals(Files.getAttribute(Path.of("/proc/self"), "unix:gid"))) {
            return true;
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Groups:")) {
                for (String g : line.substring("Groups:".length()).trim().split("\\s+")) {
                    if (!g.isEmpty() && gid.equals(Integer.parseInt(g))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
