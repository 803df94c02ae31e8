package io.smartrunner.store;

import java.time.Instant;
import java.util.List;

/**
 * One runner of the fleet as the database knows it ({@code smart-runner runners}, {@code GET /api/runners}).
 *
 * @param state          {@code alive}, {@code stale} (no heartbeat for longer than the TTL: killed,
 *                       frozen or cut off) or {@code stopped} (stopped gracefully), judged with the
 *                       database clock
 * @param heartbeatAgeMs {@code now() - heartbeat_at} on the database clock; null once stopped
 * @param sessions       sessions running at its last heartbeat
 * @param capacity       its {@code runner.globalConcurrency}
 * @param leaseTtlMs     its own {@code cluster.leaseTtlMs} (schema 11; null: a runner of an older
 *                       version): it is alive for the longer of this and the asker's
 */
public record MemberRow(String name, List<String> labels, long incarnation, String host, Long pid, String state,
                        Long heartbeatAgeMs, int sessions, int capacity, Instant startedAt, Instant stoppedAt,
                        Long leaseTtlMs) {
    public static final String ALIVE = "alive";
    public static final String STALE = "stale";
    public static final String STOPPED = "stopped";
}
