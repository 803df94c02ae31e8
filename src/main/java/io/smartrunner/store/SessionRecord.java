package io.smartrunner.store;

import java.time.Instant;

/**
 * One session as persisted. A session is written with status RUNNING, carrying what is needed to
 * find its processes after a crash (pid, the pid's start time, its process group), and updated
 * once with its terminal status.
 *
 * @param pidStartTicks the process start time as in field 22 of /proc/PID/stat, so a reused pid
 *                      is never mistaken for the session's
 * @param endedAt       null while running
 * @param reason        failure reason (exit, signal, spawn, timeout, hang, lost, shutdown); null on success
 * @param exitCode      null while running or when killed by a signal
 */
public record SessionRecord(
        String sessionId,
        String profileId,
        String pod,
        long pid,
        long pidStartTicks,
        long pgid,
        Instant startedAt,
        Status status,
        Instant endedAt,
        String reason,
        Integer exitCode) {

    public enum Status { RUNNING, FINISHED, FAILED }

    public SessionRecord ended(Status newStatus, Instant at, String newReason, Integer newExitCode) {
        return new SessionRecord(sessionId, profileId, pod, pid, pidStartTicks, pgid, startedAt, newStatus, at,
                newReason, newExitCode);
    }
}
