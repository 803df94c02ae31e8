package io.smartrunner.engine;

import io.smartrunner.process.ProcessTable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Kills what a session that ended by itself left behind in its process group (a daemonised
 * grandchild), at most every 500 ms, in one /proc scan for every group that ended since. Loop thread only.
 */
final class LeftoverSweep {
    private static final long EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ProcessTable processTable;
    private final Consumer<String> diagnostics;
    /** Process groups of sessions that ended since the last sweep, with their session ids. */
    private final Map<Long, String> endedGroups = new HashMap<>();
    private long nextSweepNanos;

    LeftoverSweep(ProcessTable processTable, Consumer<String> diagnostics) {
        this.processTable = processTable;
        this.diagnostics = diagnostics;
    }

    void ended(long pgid, String sessionId) {
        endedGroups.put(pgid, sessionId);
    }

    void sweep(long now) {
        if (endedGroups.isEmpty() || now - nextSweepNanos < 0) {
            return;
        }
        nextSweepNanos = now + EVERY_NANOS;
        Map<Long, String> groups = Map.copyOf(endedGroups);
        endedGroups.clear();
        int killed = processTable.sweepLeftovers(groups);
        if (killed > 0) {
            diagnostics.accept("killed " + killed + " leftover process(es) of ended sessions");
        }
    }

    /** The earlier of {@code next} and the next sweep, when one is due. */
    long deadline(long next) {
        return endedGroups.isEmpty() || next - nextSweepNanos <= 0 ? next : nextSweepNanos;
    }
}
