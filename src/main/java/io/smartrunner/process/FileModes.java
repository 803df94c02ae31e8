package io.smartrunner.process;

/**
 * The permissions of what the runner creates: the event log, the state store, the token, session
 * and browser logs, browser profiles, and the directories holding them. Set once at start-up
 * through the process's umask, so every creator (the JDK, SQLite, Chromium, a child opening its
 * log) honours it without being told; the launcher also passes the mode explicitly for the log
 * files a child opens. Directories get an x bit wherever the file mode has an r bit (0600 → 0700,
 * 0640 → 0750). Existing files keep their mode: the runner never chmods a file it finds.
 * Children inherit the umask too, so what a session creates is as private as the runner's files.
 */
public final class FileModes {
    /** rw for the owner only. */
    public static final int DEFAULT = 0600;
    private static volatile int fileMode = DEFAULT;

    private FileModes() {
    }

    /**
     * Makes {@code mode} the mode of every file this process creates from now on.
     *
     * @param mode permission bits, rw for the owner at least and no x bits, e.g. 0600 or 0640
     * @return false when the umask could not be set (no libc), so only the explicit modes apply
     */
    public static boolean apply(int mode) {
        if ((mode & ~0666) != 0 || (mode & 0600) != 0600) {
            throw new IllegalArgumentException("file mode " + Integer.toOctalString(mode)
                    + ": expected rw for the owner and no execute bits, e.g. 0600");
        }
        fileMode = mode;
        try {
            LibC.INSTANCE.umask(umaskFor(mode));
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** The mode for files created with an explicit one. */
    static int fileMode() {
        return fileMode;
    }

    /** 0600 → 077, 0640 → 027: directories 0700 / 0750, files 0600 / 0640. */
    static int umaskFor(int mode) {
        int dirMode = mode | ((mode & 0444) >> 2);
        return 0777 & ~dirMode;
    }
}
