package io.smartrunner.engine;

import io.smartrunner.process.ProcessException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Polls a session's output, saying when its log could not be rotated (a full disk: the file was
 * truncated all the same, its bytes dropped) instead of letting the poll's failure end the
 * session's bookkeeping: it used to, and the session's end became {@code lost} (an internal error,
 * the runner's), so the profile whose output filled the disk was never blamed. One line a minute at
 * most; the failures between two lines are counted in the next. Loop thread only.
 */
final class RotationFailures {
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Consumer<String> diagnostics;
    private long lastSaid;
    private boolean said;
    private int unsaid;

    RotationFailures(Consumer<String> diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** The session's output bytes so far; when the poll fails, those it last knew of. */
    long poll(ProfileSlot slot, ActiveSession a, long nowNanos) {
        try {
            return a.process.pollOutput();
        } catch (ProcessException e) {
            if (said && nowNanos - lastSaid < WINDOW_NANOS) {
                unsaid++;
            } else {
                diagnostics.accept("cannot rotate the session log of " + slot.id() + ": " + e.getMessage()
                        + (unsaid > 0 ? " (and " + unsaid + " more log(s) since the last such line)" : ""));
                said = true;
                lastSaid = nowNanos;
                unsaid = 0;
            }
            return a.lastOutputBytes;
        }
    }
}
