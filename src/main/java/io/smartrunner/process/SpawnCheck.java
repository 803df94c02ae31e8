package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Finds, before spawning, the errors the OS would report when executing argv[0], so they come
 * back as a {@link SpawnException} with the OS's words rather than as an exit code of setsid.
 * Resolves the program the way {@code execvp(3)} does.
 */
public final class SpawnCheck {
    private static final String ENOENT = "No such file or directory";
    private static final String EACCES = "Permission denied";
    // glibc's execvp default when PATH is unset
    private static final String DEFAULT_PATH = "/bin:/usr/bin";

    private SpawnCheck() {
    }

    /** The directory the child will start in, without looking at it: {@code dir}, or the runner's own when null. */
    static Path startsIn(Path dir) {
        return dir == null ? Path.of("").toAbsolutePath() : dir.toAbsolutePath();
    }

    /** {@link #startsIn}, checked to be a directory. */
    static Path workingDir(String program, Path dir) {
        Path resolved = startsIn(dir);
        BasicFileAttributes found = attributes(resolved);
        if (found == null) {
            throw cannotStart(program, "working directory \"" + dir + "\": " + ENOENT);
        }
        if (!found.isDirectory()) {
            throw cannotStart(program, "working directory \"" + dir + "\": Not a directory");
        }
        return resolved;
    }

    /**
     * Checks that {@code program} names an executable file: relative to {@code dir} when it
     * contains '/', else on {@code pathVar} (null = unset).
     *
     * @return the file execvp would run
     */
    static Path executable(String program, Path dir, String pathVar) {
        try {
            if (program.isEmpty()) {
                throw cannotStart(program, ENOENT);
            }
            if (program.indexOf('/') >= 0) {
                Path file = dir.resolve(program);
                String problem = problemWith(file);
                if (problem != null) {
                    throw cannotStart(program, problem);
                }
                return file;
            }
            boolean denied = false;
            for (String entry : (pathVar == null ? DEFAULT_PATH : pathVar).split(":", -1)) {
                // an empty PATH entry means the current directory, which is the child's
                Path file = dir.resolve(entry).resolve(program);
                String problem = problemWith(file);
                if (problem == null) {
                    return file;
                }
                denied |= !problem.equals(ENOENT);
            }
            // execvp reports EACCES when it found the name but could not run it, else ENOENT
            throw cannotStart(program, denied ? EACCES : ENOENT);
        } catch (InvalidPathException e) {
            throw cannotStart(program, "invalid path: " + e.getReason());
        }
    }

    /**
     * The file a program named by its path (it contains '/') runs, without looking at it: a launch
     * that lets the spawn's errno speak ({@link #explained}). Throws for a path that is no path.
     */
    static Path named(String program, Path dir) {
        try {
            return dir.resolve(program);
        } catch (InvalidPathException e) {
            throw cannotStart(program, "invalid path: " + e.getReason());
        }
    }

    /**
     * A spawn that failed with the OS's errno, in the words a check before it would have used
     * (the working directory named, "Is a directory"): {@code failed} itself when the check finds
     * nothing, as for a failure it does not look for (too many open files, a cgroup killed).
     */
    static SpawnException explained(SpawnException failed, String program, Path dir, String pathVar) {
        String problem = problem(program, dir, pathVar);
        return problem == null ? failed : new SpawnException(problem);
    }

    /**
     * The config check (issue #9): why {@code program} could not be started in {@code dir} with
     * {@code pathVar} as PATH, by the very rule a launch uses; null when it could.
     *
     * @param dir the child's working directory; null = the runner's
     */
    public static String problem(String program, Path dir, String pathVar) {
        try {
            executable(program, workingDir(program, dir), pathVar);
            return null;
        } catch (SpawnException e) {
            return e.getMessage();
        }
    }

    /**
     * An exit 126 or 127 (a shell's "cannot execute" and "not found") of a launch whose program
     * cannot be started now: the exec failed, so a spawn error; any other status as it is.
     */
    static ExitStatus execFailure(ExitStatus st, String program, Path dir, String pathVar) {
        if (st.signal() != null || st.spawnError() != null || (st.exitCode() != 126 && st.exitCode() != 127)) {
            return st;
        }
        String problem = problem(program, dir, pathVar);
        return problem == null ? st : new ExitStatus(st.exitCode(), null, problem, st.exitedAtNanos());
    }

    static SpawnException cannotStart(String program, String reason) {
        return new SpawnException("cannot start \"" + program + "\": " + reason);
    }

    /** The spawn failed with {@code errno}: its words, and whether the host was short (see {@link SpawnException#hostShort()}). */
    static SpawnException cannotStart(String program, int errno) {
        return new SpawnException("cannot start \"" + program + "\": " + LibC.INSTANCE.strerror(errno),
                SpawnException.hostShort(errno));
    }

    /** The OS's words for an I/O failure while preparing or spawning the child. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": " + ENOENT;
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": " + EACCES;
        }
        return e.getMessage();
    }

    private static String problemWith(Path file) {
        BasicFileAttributes found = attributes(file);
        if (found == null) {
            return ENOENT;
        }
        if (found.isDirectory()) {
            return "Is a directory";
        }
        return Files.isExecutable(file) ? null : EACCES;
    }

    /**
     * One stat (this runs at every launch) where {@code Files.exists} and {@code isDirectory} made
     * two; null where {@code exists} said false (missing, or a parent not searchable).
     */
    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }
}
