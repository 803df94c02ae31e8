package io.smartrunner.engine;

import io.smartrunner.breaker.PodStatus;
import java.time.Instant;
import java.util.List;

/**
 * The pod-level requests the loop answers (DESIGN §2b): each pod's breaker and hold as the loop
 * sees them, an operator's unpause of a held pod (answered once its event is written, or tried),
 * and a reload, which releases every held pod (its configuration may be fixed). Loop thread only.
 */
final class PodControls {
    private final PodBreakers breakers;
    private final PodHolds holds;
    private final FleetReload fleetReload;
    private final DurableWrites writes;
    private final StartPass starts;

    PodControls(PodBreakers breakers, PodHolds holds, FleetReload fleetReload, DurableWrites writes, StartPass starts) {
        this.breakers = breakers;
        this.holds = holds;
        this.fleetReload = fleetReload;
        this.writes = writes;
        this.starts = starts;
    }

    List<PodStatus> view() {
        return breakers.view(fleetReload.running().pods().stream().map(p -> p.name()).toList(), holds, starts);
    }

    /** @return whether the pod was held */
    boolean unpause(String pod, String by, Instant now) {
        boolean wasHeld = holds.release(pod, now, by);
        writes.flush(true);
        return wasHeld;
    }

    /** A reload was applied: held pods start again. */
    void reloaded(Instant now) {
        holds.releaseAll(now, "reload");
    }
}
