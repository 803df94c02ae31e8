package io.smartrunner.profile;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord.SessionFailed;

/**
 * What the engine decided about a failed session beyond its reason (DESIGN §2b): its class (an
 * exit-code meaning or the pod's open breaker may change the one its reason implies), the meaning
 * its exit code is mapped to, and whether an automatic pause is withheld.
 *
 * @param failureClass  {@code params.class}
 * @param meaning       {@code session.exitCodes} meaning of its exit code, or null when unmapped
 * @param pauseWithheld why the profile may not be paused automatically now (breaker.maxPausedShare),
 *                      or null when it may; used only when the failure would pause it
 */
public record Blame(FailureClass failureClass, String meaning, String pauseWithheld) {
    public Blame {
        if (failureClass == null) {
            throw new IllegalArgumentException("a failure needs a class");
        }
    }

    /** The blame a failure's reason alone implies: no meaning, pausing allowed. */
    public static Blame of(SessionResult result) {
        return new Blame(FailureClass.of(result.reason()), null, null);
    }

    /**
     * The blame an {@code error} event's params recorded (class, meaning, pauseWithheld), so that
     * replaying it decides what the runner that wrote it decided; a line without a class gets the
     * one its reason implies.
     */
    public static Blame logged(SessionResult result, SessionFailed failed) {
        return new Blame(FailureClass.fromWire(failed.param(EventParams.FAILURE_CLASS), result.reason()),
                failed.param(EventParams.MEANING), failed.param(EventParams.PAUSE_WITHHELD));
    }

    /** The same blame with another class (e.g. the breaker turns profile into shared). */
    public Blame as(FailureClass other) {
        return new Blame(other, meaning, pauseWithheld);
    }

    /** The same blame with an automatic pause withheld for {@code why}. */
    public Blame withPauseWithheld(String why) {
        return new Blame(failureClass, meaning, why);
    }
}
