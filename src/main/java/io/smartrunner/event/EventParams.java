package io.smartrunner.event;

import io.smartrunner.event.EventRecord.RecoveryAttempted;
import java.time.Instant;
import java.util.Map;

/**
 * The params keys of the event line format (DESIGN §2), with their types: with {@link EventKinds},
 * the only place that knows the wire's words. A new field of a kind is one constant here, then
 * put by its factory in {@link Events} and read through {@link Params#value} (or an accessor on
 * its record). Keys that several kinds share ({@code by}, {@code message}, {@code reason}) are one
 * constant.
 */
public final class EventParams {
    // shared
    public static final Param<String> BY = Param.text("by");
    public static final Param<String> MESSAGE = Param.text("message");
    public static final Param<String> REASON = Param.text("reason");
    public static final Param<Integer> ERROR_STREAK = Param.int32("errorStreak");
    public static final Param<Integer> EXIT_CODE = Param.int32("exitCode");

    // start
    public static final Param<String> COMMAND = Param.text("command");

    // error (open-ended: a new field is one more constant)
    public static final Param<String> FAILURE_CLASS = Param.text("class");
    /** session.exitCodes meaning of the exit code (retry-later, config), when mapped. */
    public static final Param<String> MEANING = Param.text("meaning");
    /** Why an automatic pause was not made (breaker.maxPausedShare). */
    public static final Param<String> PAUSE_WITHHELD = Param.text("pauseWithheld");
    public static final Param<String> SIGNAL = Param.text("signal");
    public static final Param<String> STDERR_TAIL = Param.text("stderrTail");

    // pause, unpause, reset
    public static final Param<Instant> PAUSED_UNTIL = Param.isoInstant("pausedUntil");
    public static final Param<Long> DURATION_MS = Param.int64("durationMs");
    public static final Param<Integer> PAUSE_COUNT = Param.int32("pauseCount");
    public static final Param<Long> PAUSED_FOR_MS = Param.int64("pausedFor");
    public static final Param<Integer> ERROR_STREAK_WAS = Param.int32("errorStreakWas");

    // import
    /** The state store an imported profile's state was copied from. */
    public static final Param<String> FROM = Param.text("from");
    public static final Param<Boolean> PAUSED = Param.flag("paused");
    /** Whether the import overwrote a row the fleet already had ({@code --replace}). */
    public static final Param<Boolean> REPLACED = Param.flag("replaced");

    // recover
    public static final Param<Integer> STEP = Param.int32("step");
    public static final Param<String> ACTION = Param.text("action");
    public static final Param<RecoveryAttempted.Result> ATTEMPT_OUTCOME = Param.oneOf("outcome", Map.of(
            RecoveryAttempted.Result.OK, "ok", RecoveryAttempted.Result.FAILED, "failed",
            RecoveryAttempted.Result.UNHEALTHY, "unhealthy"));
    public static final Param<String> VERIFICATION = Param.text("verification");
    /** How the episode chose its first step (recovery.strategy), and for adaptive its failure's signature and start. */
    public static final Param<String> STRATEGY = Param.text("strategy");
    public static final Param<String> SIGNATURE = Param.text("signature");
    public static final Param<Integer> START_STEP = Param.int32("startStep");
    /** The ladder step whose recovery the profile's next session undid (a relapse): the episode starts above it. */
    public static final Param<String> RELAPSE_OF = Param.text("relapseOf");
    /** The {@code outcome} param as its word: an exhausted episode's, or an attempt's this version has no name for. */
    static final Param<String> OUTCOME_WORD = Param.text("outcome");
    /** An exhausted episode's outcome and its {@code action} (the whole ladder, no one step). */
    static final String EXHAUSTED = "exhausted";
    static final String LADDER = "ladder";

    // reload
    public static final Param<String> CONFIG = Param.text("config");
    public static final Param<Integer> ADDED = Param.int32("added");
    public static final Param<Integer> REMOVED = Param.int32("removed");
    public static final Param<Integer> CHANGED = Param.int32("changed");
    /** The removed profiles' ids, comma-separated; the first {@link Events#IDS_LISTED} and "… N more". */
    public static final Param<String> REMOVED_IDS = Param.text("removedIds");
    /** The limits the reload applied at once ("pods[a].concurrency from 5 to 1"), comma-separated. */
    public static final Param<String> APPLIED = Param.text("applied");
    /** The settings that differ from the start's and wait for a restart, comma-separated. */
    public static final Param<String> RESTART_NEEDED_FOR = Param.text("restartNeededFor");

    // takeover (cluster mode): FROM is the runner whose leases expired, PROFILES how many were taken
    /** The ids taken over, comma-separated; the first {@link Events#IDS_LISTED} and "… N more". */
    public static final Param<String> PROFILE_IDS = Param.text("profileIds");
    /** How many sessions the previous holder's rows still showed running (each then closed, once). */
    public static final Param<Integer> SESSIONS_OPEN = Param.int32("sessionsOpen");

    // runner-start / runner-stop (RUNNER names it, PID is its process, PROFILES how many it runs)
    public static final Param<Integer> PODS = Param.int32("pods");
    /** "clean" (the data dir's last run wrote its runner-stop), "unclean" (it did not), "none" (no run on record). */
    public static final Param<String> PREVIOUS_STOP = Param.text("previousStop");
    public static final Param<String> VERSION = Param.text("version");
    /** The pid of that previous run, when on record. */
    public static final Param<Long> PREVIOUS_PID = Param.int64("previousPid");
    /** When that previous run began, when on record. */
    public static final Param<Instant> PREVIOUS_START = Param.isoInstant("previousStartedAt");
    /** Sessions a stop ended (each with its own end, reason shutdown). */
    public static final Param<Integer> SESSIONS_STOPPED = Param.int32("sessionsStopped");

    // internal-error
    public static final Param<String> EXCEPTION = Param.text("exception");
    public static final Param<String> WHILE = Param.text("while");

    // pressure, pressure-end (admission control)
    public static final Param<String> SHORT_OF = Param.text("short");
    public static final Param<Number> READING = Param.number("reading");
    public static final Param<Number> LIMIT = Param.number("limit");
    public static final Param<String> UNIT = Param.text("unit");
    public static final Param<Long> HELD_FOR_MS = Param.int64("heldForMs");
    public static final Param<Integer> SESSIONS_DELAYED = Param.int32("sessionsDelayed");

    // browser-start, -close, -replace, -recycle, -crash (reason, exitCode and signal are the shared ones)
    public static final Param<Long> PID = Param.int64("pid");
    public static final Param<Long> OLD_PID = Param.int64("oldPid");
    public static final Param<Long> AGE_MS = Param.int64("ageMs");
    public static final Param<Integer> SESSIONS = Param.int32("sessions");
    public static final Param<Integer> SWEPT = Param.int32("swept");
    public static final Param<String> START_FAILED = Param.text("startFailed");
    public static final Param<Boolean> FORCED = Param.flag("forced");
    public static final Param<Boolean> ADOPTED = Param.flag("adopted");

    // breaker-open, breaker-close, pod-pause, pod-unpause (pod-level: the profile and session a hold came from are params)
    public static final Param<Integer> ENDED = Param.int32("ended");
    public static final Param<Integer> FAILED = Param.int32("failed");
    public static final Param<Integer> PROFILES = Param.int32("profiles");
    public static final Param<Number> RATIO = Param.number("ratio");
    public static final Param<Long> WINDOW_MS = Param.int64("windowMs");
    public static final Param<Integer> IN_A_ROW = Param.int32("inARow");
    public static final Param<Long> OPEN_FOR_MS = Param.int64("openForMs");
    public static final Param<Integer> PROBES = Param.int32("probes");
    public static final Param<String> PROFILE_ID = Param.text("profileId");
    public static final Param<String> SESSION_ID = Param.text("sessionId");

    // cluster mode (issue #11.6): every event of a runner in a fleet names it
    /** The runner.name of the runner that wrote the event (cluster mode only; absent with SQLite). */
    public static final Param<String> RUNNER = Param.text("runner");

    private EventParams() {
    }
}
