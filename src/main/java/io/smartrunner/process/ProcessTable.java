package io.smartrunner.process;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The machine's processes as the runner sees them: used after a crash to find and stop what a
 * previous runner left behind, and after sessions end to sweep leftovers. A process is only ever
 * signalled when it provably belongs to the runner: its pid and start time match a persisted
 * session, or its environment carries this runner's id. Thread-safe.
 */
public interface ProcessTable {
    /** Environment variable every session process carries: the store's runner id. */
    String RUNNER_ID_ENV = "SR_RUNNER_ID";

    /** Live processes whose environment carries {@code SR_RUNNER_ID=runnerId}. */
    List<TaggedProcess> tagged(String runnerId);

    /**
     * A live runner other than this one that started processes tagged with {@code runnerId}: the
     * first untagged ancestor of a tagged process, when it is a Smart Runner (not init, not a
     * subreaper that took a dead runner's orphans). A data dir copied while its runner runs has
     * that runner's id; a runner started on the copy took its sessions for its own leftovers and
     * stopped them (reviewer R19). Empty where it cannot be told.
     */
    default Optional<Long> liveRunnerTagging(String runnerId) {
        return Optional.empty();
    }

    /**
     * The main process (the earliest started) of each run {@code runnerId} left that {@code
     * recorded} does not name: a session whose row never reached the store, a recovery step's or a
     * browser's process (the pid its start event named).
     */
    default List<TaggedProcess> unrecorded(String runnerId, Set<String> recorded) {
        return List.copyOf(mainProcesses(tagged(runnerId).stream()
                .filter(p -> p.sessionId() != null && !recorded.contains(p.sessionId())).toList()).values());
    }

    /** Each run's main process among {@code processes}, by run id: the earliest started of those it tagged. */
    static Map<String, TaggedProcess> mainProcesses(List<TaggedProcess> processes) {
        Map<String, TaggedProcess> main = new LinkedHashMap<>();
        for (TaggedProcess p : processes) {
            main.merge(p.sessionId(), p, (a, b) -> a.startTicks() <= b.startTicks() ? a : b);
        }
        return main;
    }

    /**
     * Stops what is left of a persisted session: its process group when the leader's pid and
     * start time still match, plus every process tagged with the session id. SIGTERM, then SIGKILL
     * after {@code grace}; returns once none is left (or after grace plus a bounded wait).
     *
     * @return how many processes were signalled
     */
    int stopSession(long pid, long startTicks, String sessionId, Duration grace);

    /**
     * {@link #stopSession} for many sessions at once. A stop after a crash finds every session of
     * the previous runner still there: one after the other, 200 of them kept the restart from its
     * port and its first session for minutes (a grace each for those that ignore SIGTERM).
     * Together they take one grace, however many there are.
     *
     * @return how many processes were signalled
     */
    default int stopSessions(List<SessionToStop> sessions, Duration grace) {
        int signalled = 0;
        for (SessionToStop s : sessions) {
            signalled += stopSession(s.pid(), s.startTicks(), s.sessionId(), grace);
        }
        return signalled;
    }

    /**
     * SIGKILLs leftovers of ended sessions: processes still in one of the given process groups
     * whose environment carries the matching session id. One scan of /proc for all of them.
     *
     * @param sessionsByPgid ended sessions' ids by their process group id
     * @return how many processes were killed
     */
    int sweepLeftovers(Map<Long, String> sessionsByPgid);

    /**
     * Takes over a run a previous runner of this data dir started and left running (a browser kept
     * with closeOnExit false): its leader is the live process tagged with {@code runnerId} and
     * {@code sessionId} that leads its own process group. The handle notices the leader's exit by
     * polling and stops the whole tree like a session's.
     *
     * @return empty when no such leader is alive
     */
    Optional<RunningProcess> adopt(String runnerId, String sessionId);

    /**
     * After a crash: kills what a previous runner with this id left contained but untracked, the
     * processes in its leftover session cgroups ({@code cgroup.kill}, then the cgroup is removed)
     * and the orphans it had adopted as subreaper (see docs/containment.md), except any cgroup
     * holding a process {@code keep} accepts (a browser kept across runners).
     *
     * @return how many cgroups and orphans were killed
     */
    default int stopEscaped(String runnerId, Predicate<TaggedProcess> keep, Duration grace) {
        return 0;
    }

    /** A session to stop: its leader's pid and start time as recorded or found, and its id. */
    record SessionToStop(long pid, long startTicks, String sessionId) {
    }

    /** A process found by its environment tags. */
    record TaggedProcess(long pid, long startTicks, String sessionId, String profileId, String pod) {
    }
}
