package io.smartrunner.browser;

import io.smartrunner.browser.BrowserEvent.Kind;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.event.Events;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.time.TimeSource;
import java.util.Map;

/**
 * Builds a provider's browser events and hands them to the listener the engine gave it
 * ({@link BrowserProvider#listen}); until then they go nowhere. Thread-safe.
 */
final class BrowserNews {
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

    void started(ProfileConfig profile, BrowserCause cause, String reason, BrowserLife life, long startNanos,
                 Object... extra) {
        Map<String, Object> params = Events.params("reason", reason, "pid", life.pid());
        params.putAll(Events.params(extra));
        emit(Kind.START, profile, cause.sessionId(), params, durMs(startNanos));
    }

    /** A browser that ended (closed, or crashed): its pid, age and sessions served, then {@code extra}. */
    void ended(Kind kind, ProfileConfig profile, String sessionId, String reason, BrowserLife life,
               Object... extra) {
        Map<String, Object> params = Events.params("reason", reason, "pid", life.pid(),
                "ageMs", life.ageMs(time.nanoTime()), "sessions", life.sessions());
        params.putAll(Events.params(extra));
        emit(kind, profile, sessionId, params, null);
    }

    /** {@code old} replaced by {@code fresh} (replace, recycle): the new pid, then the old one's facts. */
    void replaced(Kind kind, ProfileConfig profile, BrowserCause cause, String reason, BrowserLife old,
                  BrowserLife fresh, long startNanos, int swept) {
        emit(kind, profile, cause.sessionId(), Events.params("reason", reason, "pid", fresh.pid(),
                "oldPid", old.pid(), "ageMs", old.ageMs(startNanos), "sessions", old.sessions(), "swept", swept),
                durMs(startNanos));
    }

    private Long durMs(long startNanos) {
        return (time.nanoTime() - startNanos) / 1_000_000;
    }

    private void emit(Kind kind, ProfileConfig profile, String sessionId, Map<String, Object> params, Long durMs) {
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
