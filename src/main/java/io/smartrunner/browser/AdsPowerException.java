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
    private final boolean serverError;
    private final String reason;

    /**
     * @param reason      what went wrong, without the call's name (a part of {@code message})
     * @param unreachable no HTTP answer came, after the call's retries
     * @param serverError AdsPower answered HTTP 5xx, after the call's retries
     */
    AdsPowerException(String message, String reason, boolean unreachable, boolean serverError, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.unreachable = unreachable;
        this.serverError = serverError;
    }

    String reason() {
        return reason;
    }

    /** True when no HTTP answer came at all (refused, reset, timed out): AdsPower is likely not running. */
    public boolean unreachable() {
        return unreachable;
    }

    /**
     * True when AdsPower could not be reached or could not serve: no answer (refused, reset,
     * timed out) or HTTP 5xx, after the call's retries. A recovery step failing so is the
     * provider's failure ({@code infrastructure}), not the step's; an answer AdsPower gave (a 4xx,
     * a {@code code} other than 0) is not.
     */
    public boolean unavailable() {
        return unreachable || serverError;
    }
}
