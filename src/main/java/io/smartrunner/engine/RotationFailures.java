package io.smartrunner.engine;

import io.smartrunner.process.LogReplaced;
import io.smartrunner.process.ProcessException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Polls a session's output, saying when its log could not be rotated (a full disk: the file was
 * truncated all the same, its bytes dropped) instead of letting the poll's failure end the
 * session's bookkeeping: it used to, and the session's end became {@code lost} (an internal error,
 * the runner's), so the profile whose output filled the disk was never blamed. Also says when a
 * rotation dropped output: more than the kept files hold, written between two polls (nothing said
 * it before: reviewer R9). Each kind one line a minute at most; those between two lines are
 * counted in the next, or at the run's end ({@link #sayHeldBack}). Loop thread only.
 */
final class RotationFailures {
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final OncePerMinute failures;
    private final OncePerMinute drops;
    private final Consumer<String> diagnostics;

    RotationFailures(Consumer<String> diagnostics) {
        this.diagnostics = diagnostics;
        this.failures = new OncePerMinute(diagnostics, "log(s)");
        this.drops = new OncePerMinute(diagnostics, "log(s) with bytes dropped");
    }

    /** The session's output bytes so far; when the poll fails, those it last knew of. */
    long poll(ProfileSlot slot, ActiveSession a, long nowNanos) {
        try {
            long bytes = a.process.pollOutput();
            long dropped = a.process.outputDropped();
            if (dropped > a.outputDroppedSaid) {
                long fresh = dropped - a.outputDroppedSaid;
                a.outputDroppedSaid = dropped;
                drops.say(nowNanos, () -> "the session log of " + slot.id() + " grew past its "
                        + slot.config.session().logKeepFiles() + " kept file(s) of logMaxBytes "
                        + slot.config.session().logMaxBytes() + " between two checks: its oldest " + fresh
                        + " byte(s) were dropped");
            }
            return bytes;
        } catch (LogReplaced e) {
            // once per session and log: each said, so that one log's line does not hide the next (reviewer R10)
            diagnostics.accept("the session log of " + slot.id() + ": " + e.getMessage());
            return a.lastOutputBytes;
        } catch (ProcessException e) {
            failures.say(nowNanos, () -> "cannot rotate the session log of " + slot.id() + ": " + e.getMessage());
            return a.lastOutputBytes;
        }
    }

    /** At the run's end: lines held back since the last of their kind, counted (there is no next line to count them). */
    void sayHeldBack() {
        failures.sayHeldBack("cannot rotate a session log");
        drops.sayHeldBack("a session log's oldest bytes dropped");
    }

    /** One line a minute at most; the next one counts those it held back. */
    private static final class OncePerMinute {
        private final Consumer<String> diagnostics;
        private final String what;
        private long lastSaid;
        private boolean said;
        private int unsaid;

        OncePerMinute(Consumer<String> diagnostics, String what) {
            this.diagnostics = diagnostics;
            this.what = what;
        }

        void say(long nowNanos, Supplier<String> line) {
            if (said && nowNanos - lastSaid < WINDOW_NANOS) {
                unsaid++;
                return;
            }
            diagnostics.accept(line.get() + (unsaid > 0 ? " (and " + unsaid + " more " + what + " since the last such line)" : ""));
            said = true;
            lastSaid = nowNanos;
            unsaid = 0;
        }

        void sayHeldBack(String kind) {
            if (unsaid > 0) {
                diagnostics.accept(kind + ": " + unsaid + " more " + what + " since the last such line, not said before"
                        + " the run ended (one line a minute)");
                unsaid = 0;
            }
        }
    }
}
