package io.smartrunner.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Refuses an event log that is one of the runner's own files: the runner appends to the log and
 * cuts a torn last line off it, so pointed at the state store, the lock, the token or the config
 * itself it would destroy that file.
 */
final class EventLogPlace {
    /**
     * What the runner keeps in its data dir (RunnerHome, SqliteStateStore, StateRebuild,
     * DataDirLock, ApiToken, RunnerApiClient, OrphanJournal): exact names.
     */
    static final List<String> DATA_DIR_FILES = List.of("state.db", "state.db-wal", "state.db-shm",
            "state.db-journal", "runner.lock", "http.token", "http.port", "adopted-orphans", "adopted-orphans.tmp");
    /** The state store's side files: {@code state.db.rebuild} (and its -wal, -shm), {@code state.db.bak-<time>}. */
    static final String STATE_PREFIX = "state.db.";

    private static final String EXPECTED = "an event log file of its own, e.g. \"logs/events.jsonl\"";

    private EventLogPlace() {
    }

    /** @throws ConfigException naming {@code value}'s path when {@code eventLog} is a file the runner keeps */
    static void check(JsonCursor value, Path eventLog, Path dataDir, Path configFile) {
        Path log = eventLog.toAbsolutePath().normalize();
        String shown = JsonCursor.quote(eventLog.toString());
        if (same(log, configFile)) {
            throw value.fail(shown + " is the config file itself", EXPECTED);
        }
        if (Files.isDirectory(log)) { // a mistake in the file, said with its path (reviewer R9: exit 1 without one)
            throw value.fail(shown + " is a directory", EXPECTED);
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        String name = log.getFileName() == null ? "" : log.getFileName().toString();
        String own = log.getParent() != null && same(log.getParent(), dir) && name.startsWith(STATE_PREFIX) ? name
                : DATA_DIR_FILES.stream().filter(f -> same(log, dir.resolve(f))).findFirst().orElse(null);
        if (own != null) {
            throw value.fail(shown + " is the runner's own file " + own + " in runner.dataDir "
                    + JsonCursor.quote(dataDir.toString()), EXPECTED);
        }
    }

    /** The same file ({@link io.smartrunner.FileIdentity}); none when {@code b} is null. */
    private static boolean same(Path a, Path b) {
        return b != null && io.smartrunner.FileIdentity.same(a, b);
    }
}
