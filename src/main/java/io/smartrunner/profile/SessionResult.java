package io.smartrunner.profile;

/**
 * How a session ended, as observed by the supervisor.
 *
 * @param reason     null when the session succeeded (exit 0)
 * @param exitCode   null when unknown (spawn failure, lost)
 * @param signal     signal name when it died of one
 * @param detail     one line for people, e.g. "timed out after 600000 ms"
 * @param stderrTail last bytes of stderr (already redacted), may be empty
 * @param durMs      wall time the session ran, null when unknown
 */
public record SessionResult(FailureReason reason, Integer exitCode, String signal, String detail,
                            String stderrTail, Long durMs) {
    public static SessionResult success(long durMs) {
        return new SessionResult(null, 0, null, null, "", durMs);
    }

    public boolean succeeded() {
        return reason == null;
    }
}
