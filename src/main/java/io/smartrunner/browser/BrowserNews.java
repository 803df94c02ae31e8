package io.smartrunner.browser;

import io.smartrunner.browser.BrowserEvent.Kind;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.Params;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.time.TimeSource;

/**
 * Builds a provider's browser events and hands them to the listener the engine gave it
 * ({@link BrowserProvider#listen}); until then they go nowhere. Thread-safe.
 */
final class BrowserNews {
    static final String LEFT_NOT_ADOPTED = "a previous runner's browser that could not be adopted, stopped";
    private final TimeSource time;
    private volatile BrowserEvents listener = BrowserEvents.NONE;

    BrowserNews(TimeSource time) {
        this.time = time;
    }

    void listen(BrowserEvents events) {
        listener = events == null ? BrowserEvents.NONE : events;
    }

    /** A new browser's life, starting now. */
    BrowserLife born(Long pid) {
        return new BrowserLife(pid, time.nanoTime());
    }

    long nanoTime() {
        return time.nanoTime();
    }

    void started(ProfileConfig profile, BrowserCause cause, String reason, BrowserLife life, long startNanos) {
        started(profile, cause, reason, life, startNanos, Params.EMPTY);
    }

    void started(ProfileConfig profile, BrowserCause cause, String reason, BrowserLife life, long startNanos,
                 Params extra) {
        emit(Kind.START, profile, cause.sessionId(), Params.builder().put(EventParams.REASON, reason)
                .put(EventParams.PID, life.pid()).putAll(extra).build(), durMs(startNanos));
    }

    /** A browser that ended (closed, or crashed): its pid, age and sessions served, then {@code extra}. */
    void ended(Kind kind, ProfileConfig profile, String sessionId, String reason, BrowserLife life) {
        ended(kind, profile, sessionId, reason, life, Params.EMPTY);
    }

    void ended(Kind kind, ProfileConfig profile, String sessionId, String reason, BrowserLife life, Params extra) {
        emit(kind, profile, sessionId, Params.builder().put(EventParams.REASON, reason).put(EventParams.PID, life.pid())
                .put(EventParams.AGE_MS, life.ageMs(time.nanoTime())).put(EventParams.SESSIONS, life.sessions())
                .putAll(extra).build(), null);
    }

    /**
     * A browser a previous runner left ({@code closeOnExit: false}) that could not be adopted and
     * was stopped (it was stopped without an event). Without the profile (asked by id) there is no
     * pod to log it under: it is not logged.
     */
    void leftStopped(ProfileConfig profile, long pid) {
        if (profile != null) {
            emit(Kind.CLOSE, profile, null, Params.builder().put(EventParams.REASON, LEFT_NOT_ADOPTED)
                    .put(EventParams.PID, pid).put(EventParams.FORCED, true).build(), null);
        }
    }

    /** {@code old} replaced by {@code fresh} (replace, recycle): the new pid, then the old one's facts. */
    void replaced(Kind kind, ProfileConfig profile, BrowserCause cause, String reason, BrowserLife old,
                  BrowserLife fresh, long startNanos, int swept) {
        emit(kind, profile, cause.sessionId(), Params.builder().put(EventParams.REASON, reason)
                .put(EventParams.PID, fresh.pid()).put(EventParams.OLD_PID, old.pid())
                .put(EventParams.AGE_MS, old.ageMs(startNanos)).put(EventParams.SESSIONS, old.sessions())
                .put(EventParams.SWEPT, swept).build(), durMs(startNanos));
    }

    private Long durMs(long startNanos) {
        return (time.nanoTime() - startNanos) / 1_000_000;
    }

    private void emit(Kind kind, ProfileConfig profile, String sessionId, Params params, Long durMs) {
        listener.accept(new BrowserEvent(kind, profile.pod(), profile.id(), sessionId, params, durMs));
    }

    /** "exited with signal SIGSEGV", "exited with code 1". */
    static String exited(ExitStatus status) {
        if (status.signal() != null) {
            return "exited with signal " + status.signal();
        }
        return "exited with code " + status.exitCode();
    }
}
