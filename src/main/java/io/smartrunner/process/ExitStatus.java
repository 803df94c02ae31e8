package io.smartrunner.process;

/**
 * How a child ended.
 *
 * @param exitCode   the exit code; for a signal death the shell convention 128+N
 * @param signal     the signal's name (e.g. "SIGKILL") when the child died of a signal, else null.
 *                   Java reports signal deaths as 128+N, so an explicit exit(128+N) reads the same,
 *                   exactly as in a POSIX shell's {@code $?}.
 * @param spawnError the OS's message when the program could not be executed at all, else null
 */
public record ExitStatus(int exitCode, String signal, String spawnError) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, null, null);
    }

    public boolean success() {
        return exitCode == 0 && signal == null && spawnError == null;
    }
}
