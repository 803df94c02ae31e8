package io.smartrunner.engine;

import io.smartrunner.event.Events;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A reload as the loop carries it out: its {@code reload} event is in the log before any of it
 * takes effect, and a reload whose event cannot be written is refused with nothing changed, as a
 * pause is. Reviewer R13: with the disk full a reload was answered 200 and applied at once (a
 * removed profile's session killed), its event written only once space came back, or never after
 * a {@code kill -9}, and the killed session's end then said the runner's crash ended it. Loop thread only.
 */
final class ConfigReload {
    private final FleetReload fleetReload;
    private final PendingWrites pending;
    /** Writes what is pending now; false when the log or the store cannot be written. */
    private final BooleanSupplier writePending;
    private final Supplier<String> problem;
    private final PodControls podControls;
    private final StartPass starts;
    private final LeaseDuty leaseDuty;
    private final ProfileBoard board;
    private final Map<String, ProfileSlot> slots;

    ConfigReload(FleetReload fleetReload, PendingWrites pending, BooleanSupplier writePending, Supplier<String> problem,
                 PodControls podControls, StartPass starts, LeaseDuty leaseDuty, ProfileBoard board,
                 Map<String, ProfileSlot> slots) {
        this.fleetReload = fleetReload;
        this.pending = pending;
        this.writePending = writePending;
        this.problem = problem;
        this.podControls = podControls;
        this.starts = starts;
        this.leaseDuty = leaseDuty;
        this.board = board;
        this.slots = slots;
    }

    void handle(Message.Reload r, long nowNanos, Instant now) {
        // earlier decisions first (log and store): a failed write below can then only be this reload's
        if (!writePending.getAsBoolean()) {
            r.reply().completeExceptionally(new ChangeNotRecorded(problem.get()));
            return;
        }
        ReloadSummary plan = fleetReload.plan(r.config());
        PendingWrites.Mark mark = pending.mark();
        // nothing the runner does is silent: the removed profiles' stops, the limits now in force
        pending.add(List.of(Events.reloaded(now, plan.config() == null ? null : plan.config().toString(),
                plan.added().size(), plan.removed(), plan.changed().size(), plan.applied(), plan.restartNeededFor())),
                null, null);
        // as ManualControls: if only the store failed during this write, the log has the event and it stands
        if (!writePending.getAsBoolean() && pending.eventCount() > 0) {
            pending.rollBackTo(mark);
            r.reply().completeExceptionally(new ChangeNotRecorded(problem.get()));
            return;
        }
        fleetReload.perform(r.config(), plan, nowNanos);
        podControls.reloaded(now);
        starts.configure(r.config());
        leaseDuty.configured();
        board.publish(slots.values()); // before the answer: a read after it sees the added profiles
        r.reply().complete(plan);
    }
}
