package io.smartrunner.engine;

import io.smartrunner.event.Events;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.SpawnBackoff;
import io.smartrunner.time.TimeSource;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one unit of the loop's work (one message, or one profile's timers, recovery, pause or start)
 * so that an unexpected RuntimeException fails that unit alone, as db-scheduler's RunAndLogErrors
 * does, instead of ending the supervision of the whole fleet: one line to diagnostics, an
 * {@code internal-error} event of type {@code runner} (counted in /metrics), and the profile it
 * concerned left in a safe state ({@link SafeState}). An Error (OutOfMemoryError, ...) is not caught:
 * after one the runner cannot vouch for anything. Loop thread only.
 */
final class LoopGuard {
    private static final int MAX_MESSAGE_CHARS = 500;

    private final Map<String, ProfileSlot> slots;
    private final PendingWrites pending;
    private final Redactor redactor;
    private final Consumer<String> diagnostics;
    private final TimeSource time;
    private final SafeState safeState;
    /** A profile's periodic unit that failed ("work/profileId"): not run again before its back-off. */
    private final Map<String, Hold> holds = new HashMap<>();

    private record Hold(int failures, long untilNanos) {
    }

    /** @param cancelRecovery ends a profile's recovery episode, if any */
    LoopGuard(Map<String, ProfileSlot> slots, PendingWrites pending, Redactor redactor, Consumer<String> diagnostics,
              TimeSource time, Consumer<Message> inbox, Consumer<String> cancelRecovery) {
        this(slots, pending, TransitionApplier.recordingOnly(pending), redactor, diagnostics, time, inbox,
                cancelRecovery);
    }

    /** @param applier records the safe state a failed profile is left in (the only way to set a profile's state) */
    LoopGuard(Map<String, ProfileSlot> slots, PendingWrites pending, TransitionApplier applier, Redactor redactor,
              Consumer<String> diagnostics, TimeSource time, Consumer<Message> inbox, Consumer<String> cancelRecovery) {
        this.slots = slots;
        this.pending = pending;
        this.redactor = redactor;
        this.diagnostics = diagnostics;
        this.time = time;
        this.safeState = new SafeState(applier, time, inbox, cancelRecovery);
    }

    /** Handles one message; if that fails, its caller still gets an answer (never a hang). */
    void message(Message m, Consumer<Message> handler) {
        String work = null;
        String profileId = null;
        String sessionId = null;
        Message.Launched launched = null;
        if (m instanceof Message.Exited e) {
            work = "exited";
            profileId = e.profileId();
            sessionId = e.sessionId();
        } else if (m instanceof Message.Stopped s) {
            work = "stopped";
            profileId = s.profileId();
            sessionId = s.sessionId();
        } else if (m instanceof Message.Launched l) {
            work = "launched";
            profileId = l.profileId();
            sessionId = l.record().sessionId();
            launched = l;
        } else if (m instanceof Message.StepDone d) {
            work = "step-done";
            profileId = d.profileId();
        } else if (m instanceof Message.Manual h) {
            work = "manual";
            profileId = h.request().profileId();
        } else if (m instanceof Message.Reload) {
            work = "reload";
        } else if (m instanceof Message.Snapshot || m instanceof Message.PodSnapshot) {
            work = "snapshot";
        } else if (m instanceof Message.Browser b) {
            work = "browser";
            profileId = b.event().profileId();
            sessionId = b.event().sessionId();
        } else if (m instanceof Message.PodUnpause) {
            work = "manual";
        }
        RuntimeException failure = run(work, profileId, sessionId, launched, () -> handler.accept(m));
        if (failure == null) {
            return;
        }
        if (m instanceof Message.Manual h) {
            ProfileSlot slot = slots.get(profileId);
            h.reply().complete(ManualReply.failed(slot == null ? null : slot.state,
                    "internal error, see the runner's log: " + describe(failure)));
        } else if (m instanceof Message.Reload r) {
            r.reply().completeExceptionally(failure);
        } else if (m instanceof Message.Snapshot q) {
            q.reply().completeExceptionally(failure);
        } else if (m instanceof Message.PodSnapshot q) {
            q.reply().completeExceptionally(failure);
        } else if (m instanceof Message.PodUnpause u) {
            u.reply().completeExceptionally(failure);
        }
    }

    /**
     * {@code unit} for each profile in turn, each failing alone (a profile dropped meanwhile is
     * skipped). A profile whose unit failed is skipped for 1 s, then 2 s, 4 s, ... at most 5 min
     * while it keeps failing: a unit that fails on every turn would otherwise write an event per turn.
     */
    void eachProfile(String work, Consumer<ProfileSlot> unit) {
        each(work, List.copyOf(slots.values()), unit);
    }

    /** {@link #eachProfile} for these profiles only (the ones whose time has come). */
    void each(String work, java.util.Collection<ProfileSlot> some, Consumer<ProfileSlot> unit) {
        long now = time.nanoTime();
        for (ProfileSlot slot : some) {
            String key = holds.isEmpty() ? null : work + "/" + slot.id(); // the common case costs no key
            Hold hold = key == null ? null : holds.get(key);
            if (slots.get(slot.id()) != slot || hold != null && now - hold.untilNanos() < 0) {
                continue;
            }
            if (run(work, slot.id(), null, null, () -> unit.accept(slot)) == null) {
                if (hold != null) {
                    holds.remove(key);
                }
            } else {
                key = work + "/" + slot.id();
                int failures = hold == null ? 1 : hold.failures() + 1;
                holds.put(key, new Hold(failures, now + SpawnBackoff.after(failures).toNanos()));
            }
        }
    }

    /**
     * Runs one unit of work.
     *
     * @param work      what it is, one of {@link Events#LOOP_WORK}
     * @param profileId the profile it concerns, or null
     * @param launched  the launch it handles, whose process may be alive but not yet watched, or null
     * @return the exception it threw (contained), or null
     */
    RuntimeException run(String work, String profileId, String sessionId, Message.Launched launched, Runnable unit) {
        try {
            unit.run();
            return null;
        } catch (RuntimeException e) {
            contain(work, profileId, sessionId, launched, e);
            return e;
        }
    }

    private void contain(String work, String profileId, String sessionId, Message.Launched launched,
                         RuntimeException e) {
        String message = oneLine(e.getMessage());
        diagnostics.accept("internal error while handling " + work + (profileId == null ? "" : " of " + profileId)
                + ": " + e.getClass().getName() + ": " + message + "; the loop goes on");
        ProfileSlot slot = profileId == null ? null : slots.get(profileId);
        Instant now = time.now();
        pending.add(List.of(Events.internalError(now, slot == null ? null : slot.pod(), profileId, sessionId, work,
                e.getClass().getName(), message)), null, null);
        if (slot == null) {
            return;
        }
        try {
            safeState.settle(slot, work, launched, "internal error: " + e.getClass().getSimpleName() + ": " + message,
                    now);
        } catch (RuntimeException again) {
            diagnostics.accept("internal error: could not settle " + profileId + " after the previous one: "
                    + again.getClass().getName() + ": " + oneLine(again.getMessage()));
        }
    }

    private String describe(RuntimeException e) {
        return e.getClass().getName() + ": " + oneLine(e.getMessage());
    }

    /** Redacted, on one line, bounded. */
    private String oneLine(String message) {
        String text = redactor.redact(String.valueOf(message)).replaceAll("\\s+", " ").strip();
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
}
