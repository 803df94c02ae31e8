package io.smartrunner.recovery;

/**
 * What one step or one verification came to.
 *
 * @param ok             the step succeeded / the profile verified healthy
 * @param detail         one line for the event: the error, the exit code, the HTTP status...
 * @param infrastructure it failed because the browser provider could not be reached (AdsPower's
 *                       Local API down): the step could not be tried, which says nothing of how
 *                       well it heals (not counted in its success rate, not learned from)
 */
public record StepResult(boolean ok, String detail, boolean infrastructure) {
    public StepResult(boolean ok, String detail) {
        this(ok, detail, false);
    }

    public static StepResult ok(String detail) {
        return new StepResult(true, detail);
    }

    public static StepResult failed(String detail) {
        return new StepResult(false, detail);
    }

    /** Failed because the provider could not be reached. */
    public static StepResult providerUnreachable(String detail) {
        return new StepResult(false, detail, true);
    }
}
