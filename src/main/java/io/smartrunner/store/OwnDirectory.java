package io.smartrunner.store;

import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory the runner writes into must be its own: another user who owns it, or may write
 * into it, could plant what the runner then writes through or reads as its own (a symlink where a
 * session log goes, a forged event log, a token, the native library SQLite loads), as reviewer R6
 * did with a data dir under {@code /tmp}. The same rule as OpenSSH's StrictModes.
 */
public final class OwnDirectory {
    private OwnDirectory() {
    }

    /**
     * @param what how the config names it, for the message
     * @throws SmartRunnerException (exit 2) another user owns it, or group or others may write it
     */
    static void require(Path dir, String what) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(dir, PosixFileAttributes.class);
        } catch (UnsupportedOperationException notPosix) {
            return; // no owners or modes to judge
        }
        Object owner = Files.getAttribute(dir, "unix:uid");
        String problem = null;
        if (!owner.equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) { // the effective user's
            problem = "belongs to user " + a.owner().getName() + ", not to the user this runner runs as";
        } else if (a.permissions().contains(PosixFilePermission.OTHERS_WRITE)
                || (a.permissions().contains(PosixFilePermission.GROUP_WRITE) && !ofOwnGroup(dir))) {
            problem = "may be written by group or others (" + PosixFilePermissions.toString(a.permissions()) + ")";
        }
        if (problem != null) { // a group of this user's own (Kubernetes' fsGroup makes volumes g+w) is no other user
            throw new SmartRunnerException(what + ": " + dir + " " + problem + ": another user could plant files"
                    + " there that the runner writes through or reads as its own; use a directory of this user that"
                    + " others (and a group other than the runner's own) cannot write (chmod go-w, or another"
                    + " directory)", null, 2);
        }
    }

    /** Whether the file's group is this process's effective group (the group of /proc/self). */
    public static boolean ofOwnGroup(Path file) throws IOException {
        return Files.getAttribute(file, "unix:gid").equals(Files.getAttribute(Path.of("/proc/self"), "unix:gid"));
    }
}
