package io.smartrunner.engine;

import io.smartrunner.event.Redactor;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.SessionResult;
import java.util.concurrent.TimeUnit;

/** Classifies how a session ended (DESIGN §2 "Failure detection"). */
final class SessionOutcomes {
    private SessionOutcomes() {
    }

    static SessionResult resultOf(ActiveSession a, long nowNanos, Redactor redactor, int tailBytes) {
        ExitStatus st = a.exit;
        long durMs = TimeUnit.NANOSECONDS.toMillis((a.exit != null ? a.exitNanos : nowNanos) - a.startNanos);
        // the tail only goes into the error event, which PendingWrites redacts; detail can reach lastError
        String tail = tailBytes == 0 ? "" : a.process.stderrTail(tailBytes);
        Integer code = st.signal() == null && st.exitCode() >= 0 ? st.exitCode() : null;
        if (a.stopReason != null) {
            String detail = a.stopDetail + (a.stopError == null ? "" : "; " + a.stopError);
            return new SessionResult(a.stopReason, code, st.signal(), detail, tail, durMs);
        }
        if (st.spawnError() != null) {
            return new SessionResult(FailureReason.SPAWN, code, null, redactor.redact(st.spawnError()), tail, durMs);
        }
        if (st.signal() != null) {
            return new SessionResult(FailureReason.SIGNAL, null, st.signal(), "killed by " + st.signal(), tail, durMs);
        }
        if (st.exitCode() != 0) {
            return new SessionResult(FailureReason.EXIT, st.exitCode(), null, "exited with code " + st.exitCode(),
                    tail, durMs);
        }
        return SessionResult.success(durMs);
    }
}
