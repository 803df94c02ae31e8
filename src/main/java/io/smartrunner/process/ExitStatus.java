package io.smartrunner.process;

/**
 * How a child ended.
 *
 * @param exitCode   the exit code; for a signal death the shell convention 128+N
 * @param signal     the signal's name (e.g. "SIGKILL") when the child died of a signal, else null.
 *                   Java reports signal deaths as 128+N, so an explicit exit(128+N) reads the same,
 *                   exactly as in a POSIX shell's {@code $?}.
 * @param spawnError the OS's message when the program could not be executed at all, else null
 * @param exitedAtNanos when the child exited, on {@code TimeSource.system().nanoTime()}'s clock, or
 *                   null when the launcher cannot tell (then the runner uses the time it saw the
 *                   exit). Not part of how it ended: equality ignores it.
 */
public record ExitStatus(int exitCode, String signal, String spawnError, Long exitedAtNanos) {
    public ExitStatus(int exitCode, String signal, String spawnError) {
        this(exitCode, signal, spawnError, null);
    }

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, null, null);
    }

    /** The same end, known to have happened at {@code nanos}. */
    public ExitStatus at(long nanos) {
        return new ExitStatus(exitCode, signal, spawnError, nanos);
    }

    /** For a message: {@code exit code 127}, {@code killed by SIGKILL}, {@code not started: <why>}. */
    public String describe() {
        if (spawnError != null) {
            return "not started: " + spawnError;
        }
        return signal != null ? "killed by " + signal : "exit code " + exitCode;
    }

    public boolean success() {
        return exitCode == 0 && signal == null && spawnError == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitStatus e && e.exitCode == exitCode && java.util.Objects.equals(e.signal, signal)
                && java.util.Objects.equals(e.spawnError, spawnError);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(exitCode, signal, spawnError);
    }
}
