package io.smartrunner.alert;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps one webhook's failures to two lines: one when a burst of failed attempts starts, one
 * summary when a delivery succeeds again (or the sender stops while it still fails). Used by the
 * sender thread only; not thread-safe.
 */
final class FailureBurst {
    private final String what;
    private final Consumer<String> diagnostics;
    private boolean failing;
    private long startedNanos;
    private long failedAttempts;
    private long givenUp;

    /** @param what how the webhook is named in the lines, e.g. "webhook https://hooks.slack.com" */
    FailureBurst(String what, Consumer<String> diagnostics) {
        this.what = what;
        this.diagnostics = diagnostics;
    }

    void attemptFailed(String why, boolean willRetry, long nowNanos) {
        if (!failing) {
            failing = true;
            startedNanos = nowNanos;
            diagnostics.accept("alerts: " + what + " failing (" + why + ")"
                    + (willRetry ? "; retrying with backoff" : "") + "; further failures are summed up when it recovers");
        }
        failedAttempts++;
    }

    void gaveUp() {
        givenUp++;
    }

    void delivered(long nowNanos) {
        if (failing) {
            diagnostics.accept("alerts: " + what + " delivering again after " + summary(nowNanos));
            failing = false;
            failedAttempts = 0;
            givenUp = 0;
        }
    }

    void stopped(long nowNanos) {
        if (failing) {
            diagnostics.accept("alerts: " + what + " still failing at stop: " + summary(nowNanos));
            failing = false;
        }
    }

    private String summary(long nowNanos) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(nowNanos - startedNanos);
        return failedAttempts + " failed attempt(s) in " + seconds + " s, " + givenUp + " alert(s) given up";
    }
}
