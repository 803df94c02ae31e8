package io.smartrunner.process;

import java.util.UUID;

/**
 * What a run id (the {@code SR_SESSION_ID} tag on every process the runner starts) says the
 * process is: a session, a recovery step's run or a profile's browser. A restarted runner reads
 * these tags off the processes an older one left, so the prefixes are a wire format: never change them.
 */
public enum RunTag {
    /** A session's processes: the run id is the session id itself, with no prefix. */
    SESSION(""),
    /** A recovery step's or check's processes: {@code recovery-<sessionId>-<n>}. */
    RECOVERY_STEP("recovery-"),
    /** A profile's local browser: {@code browser-<profileId>-<uuid>}. */
    BROWSER("browser-");

    private final String prefix;

    RunTag(String prefix) {
        this.prefix = prefix;
    }

    /** The kind of run a (non-null) run id tags. */
    public static RunTag of(String runId) {
        if (runId.startsWith(RECOVERY_STEP.prefix)) {
            return RECOVERY_STEP;
        }
        return runId.startsWith(BROWSER.prefix) ? BROWSER : SESSION;
    }

    /** The run id of the {@code run}-th step or check of the episode that {@code sessionId} started. */
    public static String recoveryStep(String sessionId, int run) {
        return RECOVERY_STEP.prefix + sessionId + "-" + run;
    }

    /** A fresh run id for one start of a profile's browser. */
    public static String browser(String profileId) {
        return browserPrefix(profileId) + UUID.randomUUID();
    }

    /** What every run id of the profile's browser starts with. */
    public static String browserPrefix(String profileId) {
        return BROWSER.prefix + profileId + "-";
    }
}
