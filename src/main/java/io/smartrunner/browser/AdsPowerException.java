package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;

/**
 * A call to AdsPower's Local API failed, for good (retries used up or not worth retrying). The
 * message is one line naming the call and the user id, e.g. {@code "AdsPower
 * /api/v1/browser/start user_id=k1a2b3: Profile does not exist (code -1)"}. It never holds the
 * API key.
 */
public final class AdsPowerException extends SmartRunnerException {
    private final boolean unreachable;
    private final String reason;

    /** @param reason what went wrong, without the call's name (a part of {@code message}) */
    AdsPowerException(String message, String reason, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.unreachable = unreachable;
    }

    String reason() {
        return reason;
    }

    /** True when no HTTP answer came at all (refused, reset, timed out): AdsPower is likely not running. */
    public boolean unreachable() {
        return unreachable;
    }
}
