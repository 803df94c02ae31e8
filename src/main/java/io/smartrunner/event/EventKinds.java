package io.smartrunner.event;

import io.smartrunner.event.EventRecord.BrowserClosed;
import io.smartrunner.event.EventRecord.BrowserCrashed;
import io.smartrunner.event.EventRecord.BrowserRecycled;
import io.smartrunner.event.EventRecord.BrowserReplaced;
import io.smartrunner.event.EventRecord.BrowserStarted;
import io.smartrunner.event.EventRecord.BreakerClosed;
import io.smartrunner.event.EventRecord.BreakerOpened;
import io.smartrunner.event.EventRecord.ConfigReloaded;
import io.smartrunner.event.EventRecord.InternalFault;
import io.smartrunner.event.EventRecord.LeasesTakenOver;
import io.smartrunner.event.EventRecord.PodPaused;
import io.smartrunner.event.EventRecord.PodUnpaused;
import io.smartrunner.event.EventRecord.PressureEnded;
import io.smartrunner.event.EventRecord.PressureStarted;
import io.smartrunner.event.EventRecord.ProfileForgotten;
import io.smartrunner.event.EventRecord.ProfilePaused;
import io.smartrunner.event.EventRecord.ProfileUnpaused;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.EventRecord.RecoveryExhausted;
import io.smartrunner.event.EventRecord.RunRequested;
import io.smartrunner.event.EventRecord.RunnerStarted;
import io.smartrunner.event.EventRecord.RunnerStopped;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.EventRecord.SessionStarted;
import io.smartrunner.event.EventRecord.StateImported;
import io.smartrunner.event.EventRecord.StreakReset;
import io.smartrunner.event.EventRecord.UnknownEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The codec between typed events and their wire shape: which record is which {@code event},
 * {@code type} and {@code outcome} (DESIGN §2). One row per kind; this table and
 * {@link EventParams} are the only places that know the wire's words.
 *
 * <p>Decoding is strict about shape: a line becomes a typed record only when encoding that record
 * gives back the same event, type, outcome and durMs; any other line (a kind this version does
 * not know, or a known word in a shape it never writes) is an {@link UnknownEvent} holding the line
 * as read. So every line survives a read and a write unchanged.
 */
public final class EventKinds {
    private interface Decoder {
        EventRecord decode(Header h, Params p, Long durMs);
    }

    private record Kind(Class<? extends EventRecord> record, String event, String type,
                        Function<EventRecord, String> outcome, Decoder decoder) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind(SessionStarted.class, "start", "session", e -> null, (h, p, d) -> new SessionStarted(h, p)),
            new Kind(SessionFinished.class, "finish", "session", e -> "ok", SessionFinished::new),
            new Kind(SessionFailed.class, "error", "session", e -> "error", SessionFailed::new),
            new Kind(RecoveryExhausted.class, "recover", "recovery", e -> EventParams.EXHAUSTED,
                    RecoveryExhausted::new), // before attempts: both are recover
            new Kind(RecoveryAttempted.class, "recover", "recovery",
                    e -> e.params().value(EventParams.OUTCOME_WORD), // a newer word too: result() is then null
                    RecoveryAttempted::new),
            new Kind(ProfilePaused.class, "pause", "profile", e -> "paused", (h, p, d) -> new ProfilePaused(h, p)),
            new Kind(ProfileUnpaused.class, "unpause", "profile", e -> "ok", (h, p, d) -> new ProfileUnpaused(h, p)),
            new Kind(StreakReset.class, "reset", "profile", e -> "ok", (h, p, d) -> new StreakReset(h, p)),
            new Kind(RunRequested.class, "run", "profile", e -> "ok", (h, p, d) -> new RunRequested(h, p)),
            new Kind(StateImported.class, "import", "profile", e -> "ok", (h, p, d) -> new StateImported(h, p)),
            new Kind(ProfileForgotten.class, "forget", "profile", e -> "ok", (h, p, d) -> new ProfileForgotten(h, p)),
            new Kind(InternalFault.class, "internal-error", "runner", e -> "error",
                    (h, p, d) -> new InternalFault(h, p)),
            new Kind(PressureStarted.class, "pressure", "runner", e -> "held", (h, p, d) -> new PressureStarted(h, p)),
            new Kind(PressureEnded.class, "pressure-end", "runner", e -> "ok", PressureEnded::new),
            new Kind(ConfigReloaded.class, "reload", "runner", e -> "ok", (h, p, d) -> new ConfigReloaded(h, p)),
            new Kind(LeasesTakenOver.class, "takeover", "runner", e -> "ok", (h, p, d) -> new LeasesTakenOver(h, p)),
            new Kind(RunnerStarted.class, "runner-start", "runner", e -> "ok", (h, p, d) -> new RunnerStarted(h, p)),
            new Kind(RunnerStopped.class, "runner-stop", "runner", e -> "ok", RunnerStopped::new),
            new Kind(BrowserStarted.class, "browser-start", "browser", e -> "ok", BrowserStarted::new),
            new Kind(BrowserClosed.class, "browser-close", "browser", e -> "ok", (h, p, d) -> new BrowserClosed(h, p)),
            new Kind(BrowserReplaced.class, "browser-replace", "browser", e -> "ok", BrowserReplaced::new),
            new Kind(BrowserRecycled.class, "browser-recycle", "browser", e -> "ok", BrowserRecycled::new),
            new Kind(BrowserCrashed.class, "browser-crash", "browser", e -> "error",
                    (h, p, d) -> new BrowserCrashed(h, p)),
            new Kind(BreakerOpened.class, "breaker-open", "pod", e -> "open", (h, p, d) -> new BreakerOpened(h, p)),
            new Kind(BreakerClosed.class, "breaker-close", "pod", e -> "ok", BreakerClosed::new),
            new Kind(PodPaused.class, "pod-pause", "pod", e -> "paused", (h, p, d) -> new PodPaused(h, p)),
            new Kind(PodUnpaused.class, "pod-unpause", "pod", e -> "ok", (h, p, d) -> new PodUnpaused(h, p)));

    private static final Map<Class<? extends EventRecord>, Kind> BY_RECORD = KINDS.stream()
            .collect(Collectors.toUnmodifiableMap(Kind::record, k -> k));

    /** Every {@code event} word this version writes, in the order of a session's life. */
    public static final List<String> NAMES = List.copyOf(KINDS.stream().map(Kind::event)
            .collect(Collectors.toCollection(LinkedHashSet::new)));

    private EventKinds() {
    }

    /** The event in wire shape. */
    public static WireEvent encode(EventRecord e) {
        if (e instanceof UnknownEvent u) {
            return new WireEvent(u.ts(), u.pod(), u.profileId(), u.sessionId(), u.event(), u.type(), u.params(),
                    u.outcome(), u.durMs());
        }
        Kind k = BY_RECORD.get(e.getClass());
        return new WireEvent(e.ts(), e.pod(), e.profileId(), e.sessionId(), k.event(), k.type(), e.params(),
                k.outcome().apply(e), e.durMs());
    }

    /** The typed event of a line in wire shape: its kind's record, or {@link UnknownEvent}. */
    public static EventRecord decode(WireEvent w) {
        Header h = w.header();
        for (Kind k : KINDS) {
            if (k.event().equals(w.event())) {
                EventRecord typed = k.decoder().decode(h, w.params(), w.durMs());
                if (sameShape(encode(typed), w)) {
                    return typed;
                }
            }
        }
        return new UnknownEvent(h, w.event(), w.type(), w.params(), w.outcome(), w.durMs());
    }

    /** The same event with other params (redaction): same kind, or the same unknown line. */
    static EventRecord withParams(EventRecord e, Params params) {
        WireEvent w = encode(e);
        return decode(new WireEvent(w.ts(), w.pod(), w.profileId(), w.sessionId(), w.event(), w.type(), params,
                w.outcome(), w.durMs()));
    }

    private static boolean sameShape(WireEvent a, WireEvent b) {
        return Objects.equals(a.type(), b.type()) && Objects.equals(a.outcome(), b.outcome())
                && Objects.equals(a.durMs(), b.durMs());
    }
}
