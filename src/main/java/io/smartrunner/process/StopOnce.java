package io.smartrunner.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A process tree's stop, started once: later calls get the same future. Shared by the session
 * children this runner started and the trees it adopted from a previous runner. Thread-safe.
 */
final class StopOnce {
    private final AtomicReference<CompletableFuture<Void>> stopping = new AtomicReference<>();

    /**
     * @param groupFirst the leader is a launch of this runner: its group is signalled before the
     *                   first scan ({@link TreeKill})
     * @param afterKill  runs once the tree kill has ended, before the returned future completes
     * @param reaped     completes when this runner has reaped the leader (its own child), then the
     *                   members are looked for at once ({@link TreeKill#recheck}); null for a tree
     *                   it adopted, whose leader it does not reap
     * @return completes when every member is gone, or exceptionally when the kill failed
     */
    CompletableFuture<Void> stop(String label, SessionMembers members, ScheduledExecutorService timers, Duration grace,
                                 boolean groupFirst, Runnable afterKill, CompletableFuture<?> reaped) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        if (!stopping.compareAndSet(null, stopped)) {
            return stopping.get();
        }
        TreeKill kill = new TreeKill(label, members, timers);
        kill.start(grace, groupFirst).whenComplete((signalled, error) -> {
            afterKill.run();
            if (error == null) {
                stopped.complete(null);
            } else {
                stopped.completeExceptionally(error);
            }
        });
        if (reaped != null) {
            reaped.whenComplete((status, error) -> kill.recheck());
        }
        return stopped;
    }
}
