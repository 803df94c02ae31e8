package io.smartrunner.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Hands each message the loop received to the part that handles it, one at a time under the
 * {@link LoopGuard} (a message that fails, fails alone). Loop thread only.
 */
final class MessageRouter {
    private final Map<String, ProfileSlot> slots;
    private final SessionLifecycle sessions;
    private final RecoveryCoordinator recovery;
    private final ManualControls manual;
    private final ConfigReload reload;
    private final StartPass starts;
    private final LoopGuard guard;
    private final PendingWrites pending;
    private final PodControls podControls;
    private final ProfileBoard board;
    private final LeaseDuty leaseDuty;
    private final SessionTimers timers;

    MessageRouter(Map<String, ProfileSlot> slots, SessionLifecycle sessions, RecoveryCoordinator recovery,
                  ManualControls manual, ConfigReload reload, StartPass starts, LoopGuard guard,
                  PendingWrites pending, PodControls podControls, ProfileBoard board, LeaseDuty leaseDuty,
                  SessionTimers timers) {
        this.timers = timers;
        this.board = board;
        this.leaseDuty = leaseDuty;
        this.pending = pending;
        this.podControls = podControls;
        this.slots = slots;
        this.sessions = sessions;
        this.recovery = recovery;
        this.manual = manual;
        this.reload = reload;
        this.starts = starts;
        this.guard = guard;
    }

    void route(List<Message> messages, long nowNanos, Instant now) {
        messages.forEach(m -> guard.message(m, x -> handle(x, nowNanos, now)));
    }

    private void handle(Message m, long nowNanos, Instant now) {
        if (m instanceof Message.Launched l) {
            sessions.launched(l, nowNanos, now);
        } else if (m instanceof Message.StepDone d) {
            recovery.onResult(d, nowNanos, now);
        } else if (m instanceof Message.Manual h) {
            // answered only after the flush that writes its event (ManualControls)
            h.reply().complete(manual.handle(h.request(), nowNanos, now));
        } else if (m instanceof Message.Reload r) {
            reload.handle(r, nowNanos, now);
        } else if (m instanceof Message.PodUnpause u) {
            u.reply().complete(podControls.unpause(u.pod(), u.by(), now));
        } else if (m instanceof Message.PodSnapshot q) {
            q.reply().complete(podControls.view());
        } else if (m instanceof Message.Snapshot q) {
            q.reply().complete(slots.values().stream().map(slot -> slot.state).toList());
        } else if (m instanceof Message.Exited e) {
            sessions.exited(e, nowNanos, now);
        } else if (m instanceof Message.OutputWritten w) {
            ProfileSlot slot = slots.get(w.profileId());
            if (slot != null) {
                timers.written(slot, w.sessionId(), nowNanos);
            }
        } else if (m instanceof Message.Stopped s) {
            sessions.stopped(s, nowNanos, now);
        } else if (m instanceof Message.LeasesAcquired a) {
            leaseDuty.acquired(a.leases(), nowNanos, now);
        } else if (m instanceof Message.GiveBack g) {
            g.reply().complete(leaseDuty.giveBack(g.profileIds(), g.count()));
        } else if (m instanceof Message.GiveBackSlots g) {
            g.reply().complete(starts.giveBackSlots(g.counts()));
        } else if (m instanceof Message.Browser b) {
            pending.add(List.of(b.event().toRecord(now)), null, null); // providers never write the log themselves
            if (b.event().kind() == io.smartrunner.browser.BrowserEvent.Kind.CRASH) {
                ProfileSlot slot = slots.get(b.event().profileId());
                if (slot != null && slot.active != null && !slot.active.browserCrashed) {
                    slot.active.browserCrashed = true; // its failure, if it fails, says so
                    slot.active.browserCrashedNanos = nowNanos;
                }
            }
        }
    }
}
