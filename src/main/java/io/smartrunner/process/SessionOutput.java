package io.smartrunner.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A session's stdout and stderr log files (possibly one and the same file). Thread-safe. */
final class SessionOutput {
    private final SessionLog stdout;
    private final SessionLog stderr;

    private SessionOutput(SessionLog stdout, SessionLog stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Before launch: prepares both files (directory, rotation) and notes where this session starts. */
    static SessionOutput open(OutputFiles files) throws IOException {
        QuietLogWatch watch = QuietLogWatch.shared();
        SessionLog out = SessionLog.open(files.stdout(), files.maxBytes(), files.keep(), watch, LogRotation.aside());
        boolean shared = files.stderr().toAbsolutePath().normalize()
                .equals(files.stdout().toAbsolutePath().normalize());
        SessionLog err = shared ? out
                : SessionLog.open(files.stderr(), files.maxBytes(), files.keep(), watch, LogRotation.aside());
        return new SessionOutput(out, err);
    }

    SessionLog stdout() {
        return stdout;
    }

    SessionLog stderr() {
        return stderr;
    }

    long poll() {
        long total = stdout.poll();
        return stderr == stdout ? total : total + stderr.poll();
    }

    /** Both files watched and untouched ({@link SessionLog#quiet}). */
    boolean quiet() {
        return stdout.quiet() && (stderr == stdout || stderr.quiet());
    }

    /** {@code told} runs when a file that polls found quiet is written again ({@link SessionLog#onTouched}). */
    void onWrittenAfterQuiet(Runnable told) {
        stdout.onTouched(told);
        stderr.onTouched(told);
    }

    /** The child {@code pid} holds both files open as its descriptors 1 and 2. */
    void heldBy(long pid) {
        stdout.reachedThrough(pid, 1);
        if (stderr != stdout) {
            stderr.reachedThrough(pid, 2);
        }
    }

    /** Bytes the rotations dropped, both files: written between two polls, more than the kept files hold. */
    long dropped() {
        return stdout.dropped() + (stderr == stdout ? 0 : stderr.dropped());
    }

    /** The session ended: polls look at the files again, so the last one sees every byte. */
    void ended() {
        stdout.ended();
        stderr.ended();
    }

    String stderrTail(int maxBytes) {
        return decode(stderr.tail(Math.max(0, maxBytes)));
    }

    String stderrHead(int maxBytes) {
        return decode(stderr.head(maxBytes));
    }

    /** Lossy UTF-8 that drops a character cut in half at the start instead of showing garbage. */
    static String decode(byte[] bytes) {
        int start = 0;
        while (start < bytes.length && start < 3 && (bytes[start] & 0xC0) == 0x80) {
            start++;
        }
        return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
    }
}
