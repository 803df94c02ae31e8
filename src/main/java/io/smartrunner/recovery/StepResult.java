package io.smartrunner.recovery;

/**
 * What one step or one verification came to.
 *
 * @param ok     the step succeeded / the profile verified healthy
 * @param detail one line for the event: the error, the exit code, the HTTP status...
 */
public record StepResult(boolean ok, String detail) {
    public static StepResult ok(String detail) {
        return new StepResult(true, detail);
    }

    public static StepResult failed(String detail) {
        return new StepResult(false, detail);
    }
}
