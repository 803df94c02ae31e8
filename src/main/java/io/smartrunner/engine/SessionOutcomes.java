package io.smartrunner.engine;

import io.smartrunner.event.Redactor;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.profile.SessionResult;
import java.util.concurrent.TimeUnit;

/** What a session's end looked like, gathered for the classification in {@link SessionResult}. */
final class SessionOutcomes {
    private SessionOutcomes() {
    }

    static SessionResult resultOf(ActiveSession a, long nowNanos, Redactor redactor, int tailBytes) {
        ExitStatus st = a.exit;
        long durMs = TimeUnit.NANOSECONDS.toMillis((a.exit != null ? a.exitNanos : nowNanos) - a.startNanos);
        // detail can reach lastError.
        // A success has no error event: its log is not read (two file reads fewer per session in a fleet)
        boolean success = a.stopReason == null && st.success();
        // read past the cut and redacted here: PendingWrites' redaction sees only what is kept, and a
        // secret the cut went through would show but for its first characters
        String tail = tailBytes == 0 || success ? "" : redactor.redactTail(a.process::stderrTail, tailBytes);
        if (a.stopReason != null) {
            String detail = a.stopDetail + (a.stopError == null ? "" : "; " + a.stopError);
            return SessionResult.stopped(a.stopReason, st, detail, tail, durMs);
        }
        String spawnDetail = st.spawnError() == null ? null : redactor.redact(st.spawnError());
        return SessionResult.ofExit(st, spawnDetail, tail, durMs);
    }
}
