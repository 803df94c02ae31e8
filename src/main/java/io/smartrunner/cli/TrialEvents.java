package io.smartrunner.cli;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.event.EventKinds;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.ProfilePaused;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.WireEvent;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What {@code trial} makes of its profile's events: one line each, a countdown to the next ladder
 * step, and the verdict that ends the trial (healthy, recovered, paused, or given up). Called on
 * the supervisor's loop thread only; not thread-safe.
 */
final class TrialEvents {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final RecoverySettings recovery;
    private final int maxSessions;
    private final PrintStream out;
    private int failedSessions;

    TrialEvents(RecoverySettings recovery, int maxSessions, PrintStream out) {
        this.recovery = recovery;
        this.maxSessions = maxSessions;
        this.out = out;
    }

    /** Prints the event; returns the verdict it reaches, or null while the trial goes on. */
    String onEvent(EventRecord e) {
        out.println(line(e));
        countdown(e);
        return verdict(e);
    }

    private String verdict(EventRecord e) {
        if (e instanceof ProfilePaused p) {
            return "profile paused until " + p.pausedUntil() + " after errorStreak "
                    + p.errorStreak();
        }
        if (e instanceof SessionFinished) {
            return "profile healthy: session finished with exit 0";
        }
        if (e instanceof RecoveryAttempted a) {
            return a.result() == RecoveryAttempted.Result.OK ? "profile recovered: step " + a.step() + " ("
                    + a.action() + ") verified it healthy" : null;
        }
        if (e instanceof SessionFailed) {
            return ++failedSessions >= maxSessions ? "gave up after " + maxSessions + " sessions" : null;
        }
        return null;
    }

    /** After an attempt that did not heal the profile, says when the next step comes. */
    private void countdown(EventRecord e) {
        if (!(e instanceof RecoveryAttempted a) || a.result() == null || a.result() == RecoveryAttempted.Result.OK
                || a.step() == null) {
            return;
        }
        int step = a.step();
        int steps = Math.min(recovery.maxRecoverySteps(), recovery.steps().size());
        if (step < steps) {
            out.println("              … step " + (step + 1) + " of " + steps + " ("
                    + recovery.steps().get(step).name() + ") in " + recovery.retryBackoffMs() + " ms");
        }
    }

    /** The event as one line: time, the wire's event and outcome words, its non-empty params, durMs. */
    static String line(EventRecord e) {
        WireEvent w = EventKinds.encode(e); // the words the log has, for the reader to match them
        StringBuilder b = new StringBuilder(TIME.format(e.ts())).append("  ")
                .append(String.format("%-8s %-9s", w.event(), w.outcome() == null ? "" : w.outcome()));
        e.params().forEach((k, v) -> {
            if (v != null && !(v instanceof String s && s.isEmpty())) {
                b.append(' ').append(k).append('=').append(String.valueOf(v).strip().replace('\n', '⏎'));
            }
        });
        if (e.durMs() != null) {
            b.append(" durMs=").append(e.durMs());
        }
        return b.toString();
    }
}
