package io.smartrunner.process;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which sessions an orphan the runner adopted (as child subreaper) escaped from, and when it is
 * due to be stopped. The rule (docs/containment.md):
 * <ul>
 *   <li>An orphan whose environment still carries SR_SESSION_ID belongs to that session alone.</li>
 *   <li>Otherwise (e.g. {@code env -i}) it belongs to every session that was running when the
 *       orphan started: started at or before the orphan's start time and not ended before it.
 *       Times are clock ticks since boot, the unit of /proc/PID/stat's start time.</li>
 *   <li>It is due once every session it belongs to has ended. An orphan that belongs to no known
 *       session (it started when none of this runner's sessions was running, or its session is
 *       older than the remembered history) is due at once, since nothing running can own it.</li>
 * </ul>
 * Remembers the {@code capacity} sessions that ended last. Not thread-safe: the subreaper's one scan
 * at a time uses it, under its lock.
 */
final class OrphanAttribution {
    private final int capacity;
    /** id → {start, end} ticks; end is -1 while the session runs. */
    private final Map<String, long[]> sessions = new LinkedHashMap<>();
    /** The ended sessions, oldest end first: the ones forgotten first. */
    private final java.util.ArrayDeque<String> endedOrder = new java.util.ArrayDeque<>();

    OrphanAttribution(int capacity) {
        this.capacity = capacity;
    }

    void started(String sessionId, long startTicks) {
        sessions.put(sessionId, new long[] {startTicks, -1});
    }

    void ended(String sessionId, long endTicks) {
        long[] s = sessions.get(sessionId);
        if (s != null && s[1] < 0) {
            s[1] = endTicks;
            endedOrder.add(sessionId);
        }
        prune();
    }

    /**
     * The sessions an orphan belongs to, fixed when it is first seen.
     *
     * @param taggedSessionId SR_SESSION_ID from its environment, or null
     * @param startTicks      its start time, /proc/PID/stat field 22
     */
    Set<String> owners(String taggedSessionId, long startTicks) {
        Set<String> owners = new TreeSet<>();
        if (taggedSessionId != null && !taggedSessionId.isEmpty()) {
            if (sessions.containsKey(taggedSessionId)) {
                owners.add(taggedSessionId);
            }
            return owners;
        }
        sessions.forEach((id, s) -> {
            if (s[0] <= startTicks && (s[1] < 0 || s[1] >= startTicks)) {
                owners.add(id);
            }
        });
        return owners;
    }

    /** Whether an orphan with these owners is to be stopped now: none of them still runs. */
    boolean due(Set<String> owners) {
        for (String id : owners) {
            long[] s = sessions.get(id);
            if (s != null && s[1] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Forgets the oldest ended sessions beyond the capacity: constant work per end (500 ends a second at fleet scale). */
    private void prune() {
        while (endedOrder.size() > capacity) {
            sessions.remove(endedOrder.poll());
        }
    }
}
