package io.smartrunner.config;

import java.nio.file.Path;
import java.util.List;

/** Binds the root object and its small blocks ({@code runner}, {@code http}). */
final class ConfigBinder {
    static final List<String> ROOT_KEYS = List.of("runner", "session", "recovery", "browser", "http", "alerts", "store",
            "pods", "breaker", "cluster");
    static final List<String> RUNNER_KEYS = List.of("globalConcurrency", "dataDir", "eventLog", "eventLogFsync",
            "eventLogFsyncIntervalMs", "startJitterMs", "sqliteSynchronous", "fileMode", "eventLogMaxBytes",
            "eventLogKeep", "minFreeMemoryMb", "maxLoadPerCore", "name", "labels", "sessionsKeptPerProfile");
    static final List<String> HTTP_KEYS = HttpBinder.KEYS;
    static final int MAX_GLOBAL_CONCURRENCY = 10_000;
    static final long MAX_FSYNC_INTERVAL_MS = 60_000;
    static final long MAX_START_JITTER_MS = 3_600_000;
    static final long MIN_EVENT_LOG_MAX_BYTES = 1L << 10;
    static final long MAX_EVENT_LOG_MAX_BYTES = 1L << 40;
    static final int MAX_EVENT_LOG_KEEP = 1000;
    static final long MAX_MIN_FREE_MEMORY_MB = 1L << 20;
    static final double MAX_LOAD_PER_CORE = 1000;
    static final int MAX_SESSIONS_KEPT_PER_PROFILE = 1_000_000;
    private static final String RUNNER_NEEDED_FOR = "every command finds the runner's data dir, event log and name here";

    private ConfigBinder() {
    }

    /** @param checkPrograms whether each profile's programs must exist and be executable ({@link CommandCheck}) */
    static RunnerConfig bind(JsonCursor root, BindContext context, Path source, boolean checkPrograms) {
        if (!root.isObject()) {
            throw root.typeError("a JSON object at the top level");
        }
        root.object(ROOT_KEYS);
        // where the state is and whose it is: resolved even for a command that keeps the runner's secrets as written
        JsonCursor runnerBlock = root.get("runner").requiringEnv(RUNNER_NEEDED_FOR);
        RunnerSettings runner = runner(runnerBlock.object(RUNNER_KEYS));
        EventLogPlace.check(runnerBlock.get("eventLog"), runner.eventLog(), runner.dataDir(), source);
        SessionSettings session = SessionBinder.bind(root.get("session"), SessionSettings.defaults());
        BrowserSettings browser = BrowserBinder.bind(root.get("browser"), context);
        HttpSettings http = http(root.get("http").object(HTTP_KEYS));
        AlertSettings alerts = AlertsBinder.bind(root.get("alerts"), context);
        StoreSettings store = StoreBinder.bind(root.get("store"), context);
        ClusterSettings cluster = ClusterBinder.bind(root.get("cluster"), store);
        RecoverySettings recovery = RecoveryBinder.bind(root.get("recovery"), browser.provider());
        CommandCheck commands = checkPrograms ? CommandCheck.of(root.get("recovery"), recovery, context.env())
                : CommandCheck.NONE;
        BreakerSettings breaker = BreakerBinder.bind(root.get("breaker"));
        List<PodConfig> pods = PodBinder.bind(root.get("pods"), runner.globalConcurrency(), session,
                browser.provider(), commands, root.get("session").get("command"), breaker);
        return new RunnerConfig(source, runner, session, recovery, browser, http, alerts, store, pods,
                context.secrets(), breaker, cluster, context.argvAsWritten());
    }

    private static RunnerSettings runner(JsonCursor block) {
        RunnerSettings defaults = RunnerSettings.defaults();
        return new RunnerSettings(
                block.get("globalConcurrency").integer(defaults.globalConcurrency(), 1, MAX_GLOBAL_CONCURRENCY,
                        Quantity.COUNT),
                block.get("dataDir").filePath(defaults.dataDir()),
                block.get("eventLog").filePath(defaults.eventLog()),
                block.get("eventLogFsync").choice(defaults.eventLogFsync()),
                block.get("eventLogFsyncIntervalMs").integer(defaults.eventLogFsyncIntervalMs(), 1,
                        MAX_FSYNC_INTERVAL_MS, Quantity.MILLIS),
                block.get("startJitterMs").integer(defaults.startJitterMs(), 0, MAX_START_JITTER_MS, Quantity.MILLIS),
                block.get("sqliteSynchronous").choice(defaults.sqliteSynchronous()),
                FileModeValue.read(block.get("fileMode"), defaults.fileMode()),
                eventLogMaxBytes(block.get("eventLogMaxBytes"), defaults.eventLogMaxBytes()),
                (int) block.get("eventLogKeep").integer(defaults.eventLogKeep(), 1, MAX_EVENT_LOG_KEEP, Quantity.COUNT),
                block.get("minFreeMemoryMb").integer(defaults.minFreeMemoryMb(), 0, MAX_MIN_FREE_MEMORY_MB,
                        Quantity.COUNT),
                block.get("maxLoadPerCore").number(defaults.maxLoadPerCore(), 0, MAX_LOAD_PER_CORE),
                RunnerNames.name(block.get("name"), defaults.name()),
                RunnerNames.labels(block.get("labels")),
                (int) block.get("sessionsKeptPerProfile").integer(defaults.sessionsKeptPerProfile(), 1,
                        MAX_SESSIONS_KEPT_PER_PROFILE, Quantity.COUNT));
    }

    /** 0 turns rotation off; otherwise at least 1 KiB, so a file holds more than a line or two. */
    private static long eventLogMaxBytes(JsonCursor value, long fallback) {
        long bytes = value.integer(fallback, 0, MAX_EVENT_LOG_MAX_BYTES, Quantity.BYTES);
        if (bytes > 0 && bytes < MIN_EVENT_LOG_MAX_BYTES) {
            throw value.fail(value.shown() + " is too small", "0 (no rotation) or "
                    + Quantity.BYTES.range(MIN_EVENT_LOG_MAX_BYTES, MAX_EVENT_LOG_MAX_BYTES));
        }
        return bytes;
    }

    private static HttpSettings http(JsonCursor block) {
        return HttpBinder.bind(block);
    }
}
