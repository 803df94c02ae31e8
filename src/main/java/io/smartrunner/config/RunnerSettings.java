package io.smartrunner.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code runner} block. Relative paths are resolved against the runner's working directory.
 *
 * @param globalConcurrency  most sessions running at once across all pods [8]
 * @param dataDir            SQLite state, per-profile logs, runner lock [data]
 * @param eventLog           the JSON Lines event log [logs/events.jsonl]
 * @param eventLogFsync      when the event log is fsynced [interval]
 * @param eventLogFsyncIntervalMs period of {@link FsyncPolicy#INTERVAL} [1000]
 * @param startJitterMs      at start-up each profile waits a random 0..this before its first
 *                           session, and the concurrency limits rise over it, so a fleet of any
 *                           size starts spread over it [1000]
 * @param sqliteSynchronous  SQLite {@code PRAGMA synchronous} (WAL mode) [NORMAL]
 * @param fileMode           permission bits of the files the runner creates; directories get x
 *                           where the mode has r [0600]
 * @param eventLogMaxBytes   rotate the event log (between batches, never inside a line) once it
 *                           would grow past this many bytes; 0 = never [100 MiB]
 * @param eventLogKeep       rotated files kept ({@code events.jsonl.1} newest ..
 *                           {@code events.jsonl.<keep>} oldest) [10]
 * @param minFreeMemoryMb    admission control: no new session (nor its browser, nor a recovery episode)
 *                           starts while MemAvailable is under this many MiB; 0 = off [256]
 * @param maxLoadPerCore     admission control: nor while the 1-minute load average per available
 *                           processor is over this; 0 = off [0: the load average lags by a minute and
 *                           counts every tenant of the host, the memory floor is what keeps the OOM killer away]
 * @param name               the runner's name in a cluster (unique among live runners; docs/cluster.md) [the host name]
 * @param labels             what placement can match this runner by (cluster mode) [none]
 * @param sessionsKeptPerProfile of each profile's ended sessions, the newest this many are kept in the
 *                           state store (older ones are deleted; the event log keeps them all) [1000]
 */
public record RunnerSettings(
        int globalConcurrency,
        Path dataDir,
        Path eventLog,
        FsyncPolicy eventLogFsync,
        long eventLogFsyncIntervalMs,
        long startJitterMs,
        SqliteSynchronous sqliteSynchronous,
        int fileMode,
        long eventLogMaxBytes,
        int eventLogKeep,
        long minFreeMemoryMb,
        double maxLoadPerCore,
        String name,
        List<String> labels,
        int sessionsKeptPerProfile) {

    public static final int DEFAULT_GLOBAL_CONCURRENCY = 8;
    public static final Path DEFAULT_DATA_DIR = Path.of("data");
    public static final Path DEFAULT_EVENT_LOG = Path.of("logs", "events.jsonl");
    public static final long DEFAULT_FSYNC_INTERVAL_MS = 1000;
    public static final long DEFAULT_START_JITTER_MS = 1000;
    public static final int DEFAULT_FILE_MODE = 0600;
    public static final long DEFAULT_EVENT_LOG_MAX_BYTES = 100L << 20;
    public static final int DEFAULT_EVENT_LOG_KEEP = 10;
    public static final long DEFAULT_MIN_FREE_MEMORY_MB = 256;
    public static final double DEFAULT_MAX_LOAD_PER_CORE = 0;
    public static final int DEFAULT_SESSIONS_KEPT_PER_PROFILE = 1000;

    public RunnerSettings {
        labels = List.copyOf(labels);
    }

    /** The settings without the sessions kept (the default). */
    public RunnerSettings(int globalConcurrency, Path dataDir, Path eventLog, FsyncPolicy eventLogFsync,
                          long eventLogFsyncIntervalMs, long startJitterMs, SqliteSynchronous sqliteSynchronous,
                          int fileMode, long eventLogMaxBytes, int eventLogKeep, long minFreeMemoryMb,
                          double maxLoadPerCore, String name, List<String> labels) {
        this(globalConcurrency, dataDir, eventLog, eventLogFsync, eventLogFsyncIntervalMs, startJitterMs,
                sqliteSynchronous, fileMode, eventLogMaxBytes, eventLogKeep, minFreeMemoryMb, maxLoadPerCore,
                name, labels, DEFAULT_SESSIONS_KEPT_PER_PROFILE);
    }

    /** The settings without the cluster keys (name: the host name; no labels). */
    public RunnerSettings(int globalConcurrency, Path dataDir, Path eventLog, FsyncPolicy eventLogFsync,
                          long eventLogFsyncIntervalMs, long startJitterMs, SqliteSynchronous sqliteSynchronous,
                          int fileMode, long eventLogMaxBytes, int eventLogKeep, long minFreeMemoryMb,
                          double maxLoadPerCore) {
        this(globalConcurrency, dataDir, eventLog, eventLogFsync, eventLogFsyncIntervalMs, startJitterMs,
                sqliteSynchronous, fileMode, eventLogMaxBytes, eventLogKeep, minFreeMemoryMb, maxLoadPerCore,
                HostName.get(), List.of());
    }

    /** The settings without the admission keys (they take their defaults). */
    public RunnerSettings(int globalConcurrency, Path dataDir, Path eventLog, FsyncPolicy eventLogFsync,
                          long eventLogFsyncIntervalMs, long startJitterMs, SqliteSynchronous sqliteSynchronous,
                          int fileMode, long eventLogMaxBytes, int eventLogKeep) {
        this(globalConcurrency, dataDir, eventLog, eventLogFsync, eventLogFsyncIntervalMs, startJitterMs,
                sqliteSynchronous, fileMode, eventLogMaxBytes, eventLogKeep, DEFAULT_MIN_FREE_MEMORY_MB,
                DEFAULT_MAX_LOAD_PER_CORE);
    }

    /** The settings without the file mode and rotation keys (they take their defaults). */
    public RunnerSettings(int globalConcurrency, Path dataDir, Path eventLog, FsyncPolicy eventLogFsync,
                          long eventLogFsyncIntervalMs, long startJitterMs, SqliteSynchronous sqliteSynchronous) {
        this(globalConcurrency, dataDir, eventLog, eventLogFsync, eventLogFsyncIntervalMs, startJitterMs,
                sqliteSynchronous, DEFAULT_FILE_MODE);
    }

    /** The settings without the rotation keys (they take their defaults). */
    public RunnerSettings(int globalConcurrency, Path dataDir, Path eventLog, FsyncPolicy eventLogFsync,
                          long eventLogFsyncIntervalMs, long startJitterMs, SqliteSynchronous sqliteSynchronous,
                          int fileMode) {
        this(globalConcurrency, dataDir, eventLog, eventLogFsync, eventLogFsyncIntervalMs, startJitterMs,
                sqliteSynchronous, fileMode, DEFAULT_EVENT_LOG_MAX_BYTES, DEFAULT_EVENT_LOG_KEEP);
    }

    public static RunnerSettings defaults() {
        return new RunnerSettings(DEFAULT_GLOBAL_CONCURRENCY, DEFAULT_DATA_DIR, DEFAULT_EVENT_LOG,
                FsyncPolicy.INTERVAL, DEFAULT_FSYNC_INTERVAL_MS, DEFAULT_START_JITTER_MS,
                SqliteSynchronous.NORMAL, DEFAULT_FILE_MODE);
    }

    /** When appended events are forced to disk (they always reach the OS before being acted on). */
    public enum FsyncPolicy {
        /** fsync after every append, before the decision it records is persisted or acted on. */
        ALWAYS,
        /** fsync in the background every {@code eventLogFsyncIntervalMs} (like Redis' everysec). */
        INTERVAL,
        /** leave it to the OS. */
        NEVER
    }

    /** SQLite's synchronous level; in WAL mode NORMAL never corrupts, FULL also survives power loss. */
    public enum SqliteSynchronous { OFF, NORMAL, FULL, EXTRA }
}
