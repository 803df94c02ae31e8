package io.smartrunner.profile;

import io.smartrunner.process.ExitStatus;

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
    /** The same result with more said after its detail ("killed by SIGKILL; the OOM killer …"). */
    public SessionResult withDetailAdded(String more) {
        return new SessionResult(reason, exitCode, signal, detail == null ? more : detail + "; " + more, stderrTail,
                durMs);
    }

    public static SessionResult success(long durMs) {
        return new SessionResult(null, 0, null, null, "", durMs);
    }

    /**
     * Classifies how a session's process ended by itself (DESIGN §2 "Failure detection"): it could
     * not be started, died of a signal, exited non-zero, or succeeded.
     *
     * @param spawnDetail the spawn error as it may be shown (redacted); used only for a spawn failure
     */
    public static SessionResult ofExit(ExitStatus st, String spawnDetail, String stderrTail, long durMs) {
        if (st.spawnError() != null) {
            return new SessionResult(FailureReason.SPAWN, exitCode(st), null, spawnDetail, stderrTail, durMs);
        }
        if (st.signal() != null) {
            return new SessionResult(FailureReason.SIGNAL, null, st.signal(), "killed by " + st.signal(), stderrTail,
                    durMs);
        }
        if (st.exitCode() != 0) {
            return new SessionResult(FailureReason.EXIT, st.exitCode(), null, "exited with code " + st.exitCode(),
                    stderrTail, durMs);
        }
        return success(durMs);
    }

    /** A session the runner stopped (timeout, hang, shutdown...): the reason is the stop's, whatever the exit. */
    public static SessionResult stopped(FailureReason reason, ExitStatus st, String detail, String stderrTail,
                                        long durMs) {
        return new SessionResult(reason, exitCode(st), st.signal(), detail, stderrTail, durMs);
    }

    private static Integer exitCode(ExitStatus st) {
        return st.signal() == null && st.exitCode() >= 0 ? st.exitCode() : null;
    }

    public boolean succeeded() {
        return reason == null;
    }
}
