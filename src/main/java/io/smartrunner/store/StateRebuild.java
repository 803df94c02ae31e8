package io.smartrunner.store;

import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.event.EventLog;
import io.smartrunner.event.EventLogFiles;
import io.smartrunner.profile.ProfileState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Rebuilds the SQLite state store from the event log ({@link EventReplay}): into a new file next
 * to it, then renamed into place, the old file (and its WAL) kept as {@code state.db.bak-<ts>}.
 * A crash midway leaves the old store as it was. The caller holds the data dir lock.
 */
public final class StateRebuild {
    private static final int ROWS_PER_TRANSACTION = 5000;
    private static final DateTimeFormatter BACKUP_TS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String[] SQLITE_SIDECARS = {"-wal", "-shm", "-journal"};

    /**
     * What a rebuild did, for its one-line notice.
     *
     * @param unread what of the log was not replayed: malformed lines, torn tails, numbered names
     *               that are not files (each a phrase for the summary)
     */
    public record Result(Path stateFile, long events, int profiles, int openSessions, Path backup, long refused,
                         long unreadableUntil, List<String> unread) {
        public String summary() {
            return stateFile + ": rebuilt " + profiles + " profile(s) from " + events + " event(s) of the event log"
                    + (refused > 0 ? " (" + refused + " naming a profile or pod id no configuration can have were left"
                    + " out)" : "")
                    + (unreadableUntil > 0 ? " (" + unreadableUntil + " pause(s) whose params.pausedUntil is not an"
                    + " ISO-8601 instant end at their ts + durationMs instead)" : "")
                    + (openSessions > 0 ? ", " + openSessions + " session(s) without an end (closed as lost at start)" : "")
                    + unread.stream().map(u -> "; " + u).collect(java.util.stream.Collectors.joining())
                    + (backup != null ? "; the old file is kept as " + backup.getFileName() : "");
        }
    }

    private StateRebuild() {
    }

    /**
     * What {@code run} finds before it starts. A store that is missing, zero bytes or without
     * profile rows is rebuilt from the event log when the log holds a profile's event
     * ({@link #logHasProfileEvents}), a damaged one when the log is not empty: the log is written
     * before each decision takes effect, so it holds everything the store did. A damaged
     * store is found by SQLite's {@code PRAGMA quick_check} (about 100 ms for 54 MB of 10 000
     * profiles and 200 000 sessions, a few ms for a demo's store) or by SQLite refusing the file.
     *
     * @param words why a rebuild is wanted ("missing", "empty (0 bytes)", "without profiles",
     *              "damaged (…)"), null when the store is fine
     */
    public record Check(String words, boolean damaged) {
        public boolean wantsRebuild() {
            return words != null;
        }
    }

    /** Looks at the store (read-only) as {@link Check} says. */
    public static Check check(Path stateFile) {
        if (!Files.exists(stateFile)) {
            return new Check("missing", false);
        }
        if (size(stateFile) == 0) {
            return new Check("empty (0 bytes)", false);
        }
        try (Connection c = SqliteConnector.openReadOnly(stateFile, SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS);
             Statement st = c.createStatement()) {
            String quick = SqliteConnector.queryString(st, "PRAGMA quick_check(1)");
            if (!"ok".equals(quick)) {
                return new Check("damaged (SQLite's quick_check: " + oneLine(quick) + ")", true);
            }
            if (SqliteMigrations.currentVersion(c) > SqliteMigrations.LATEST) {
                return new Check(null, false); // a newer runner's: the open refuses it in one line, nothing rebuilt
            }
            String hasTable = SqliteConnector.queryString(st,
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'profiles'");
            boolean empty = "0".equals(hasTable)
                    || "0".equals(SqliteConnector.queryString(st, "SELECT count(*) FROM profiles"));
            return empty ? new Check("without profiles", false) : new Check(null, false);
        } catch (SQLException e) {
            return SqliteErrors.damaged(e) ? new Check("damaged (" + SqliteErrors.describe(e) + ")", true)
                    : new Check(null, false); // not ours to judge: the normal open reports what is wrong with it
        } catch (RuntimeException e) {
            return new Check(null, false);
        }
    }

    /** SQLite's report on one line ("*** in database main ***\nPage 2: ..."), at most 200 characters. */
    private static String oneLine(String report) {
        String line = String.valueOf(report).strip().replaceAll("\\s*\\R\\s*", "; ");
        return line.length() <= 200 ? line : line.substring(0, 199) + "…";
    }

    /** Whether the event log (any of its files) has bytes: something to rebuild from. */
    public static boolean logHasBytes(Path eventLog) {
        return EventLogFiles.oldestFirst(eventLog).stream().anyMatch(p -> Files.isRegularFile(p) && size(p) > 0);
    }

    /**
     * Whether the event log holds an event the replay would restore a profile from. A store
     * without profiles next to a log of only the runner's own events (runner-start, runner-stop:
     * a runner with no profiles configured) has lost nothing, and rebuilding it at every start
     * only left a backup each time. Read from the newest event back, so a log that has one stops
     * at it.
     */
    public static boolean logHasProfileEvents(Path eventLog) {
        try (EventLog log = EventLog.open(eventLog)) {
            return !log.tail(1, EventReplay::restoresAProfile).isEmpty();
        }
    }

    /**
     * Replays the whole log (rotated files in order) into a fresh store at {@code stateFile}.
     *
     * @param now names the backup of the old file
     */
    public static Result rebuild(Path eventLog, Path stateFile, SqliteSynchronous sync, Instant now) {
        return rebuild(eventLog, stateFile, sync, RunnerSettings.DEFAULT_SESSIONS_KEPT_PER_PROFILE, now);
    }

    /** As above, keeping each profile's newest {@code sessionsKept} ended sessions. */
    public static Result rebuild(Path eventLog, Path stateFile, SqliteSynchronous sync, int sessionsKept, Instant now) {
        rejectNewer(stateFile);
        EventReplay replay = new EventReplay(sessionsKept);
        // what was not read is said in the summary, never silently (event-log.md)
        List<String> unread = new ArrayList<>();
        try (EventLog log = EventLog.open(eventLog)) {
            log.forEach(e -> true, replay);
            unread.addAll(log.skippedFiles());
            Stream.of(log.malformedSummary(), log.tornNotice()).filter(Objects::nonNull).forEach(unread::add);
        }
        String runnerId = oldRunnerId(stateFile);
        Path temp = stateFile.resolveSibling(stateFile.getFileName() + ".rebuild");
        deleteWithSidecars(temp);
        try (SqliteStateStore store = SqliteStateStore.open(temp, sync, SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS,
                sessionsKept)) {
            List<ProfileState> profiles = new ArrayList<>(replay.profiles().values());
            List<SessionRecord> sessions = replay.sessions();
            store.write(new StateWrite(profiles, List.of()));
            for (int i = 0; i < sessions.size(); i += ROWS_PER_TRANSACTION) {
                store.write(new StateWrite(List.of(), sessions.subList(i, Math.min(sessions.size(),
                        i + ROWS_PER_TRANSACTION))));
            }
            if (runnerId != null) {
                store.keepRunnerId(runnerId);
            }
        } catch (RuntimeException e) {
            // a full disk, say: the half-written copy is of no use, and the old state file is untouched
            deleteQuietly(temp);
            throw e;
        }
        try {
            force(temp);
            Path backup = null;
            if (Files.exists(stateFile)) {
                backup = stateFile.resolveSibling(stateFile.getFileName() + ".bak-" + BACKUP_TS.format(now));
                moveWithSidecars(stateFile, backup);
            } else {
                deleteWithSidecars(stateFile); // a WAL without its database would be applied to the new file
            }
            moveWithSidecars(temp, stateFile);
            syncDirectory(stateFile);
            return new Result(stateFile, replay.events(), replay.profiles().size(),
                    (int) replay.sessions().stream().filter(s -> s.status() == SessionRecord.Status.RUNNING).count(),
                    backup, replay.refused(), replay.unreadableUntil(), List.copyOf(unread));
        } catch (IOException e) {
            throw new StoreException(stateFile + ": cannot put the rebuilt state in place: " + e.getMessage(), e);
        }
    }

    /**
     * A store a newer runner made (and would read) is never replaced by this runner's rebuild: the
     * older runner's replay knows nothing of what the newer schema holds. A store that cannot be
     * read is not judged here (it is what a rebuild is for).
     */
    private static void rejectNewer(Path stateFile) {
        int version = schemaVersion(stateFile);
        if (version > SqliteMigrations.LATEST) {
            throw new StoreException(stateFile + ": schema version " + version + " is newer than this runner understands"
                    + " (max " + SqliteMigrations.LATEST + "); a newer runner's store is not replaced by an older one's"
                    + " rebuild: nothing was changed", null, 2);
        }
    }

    /** The store's schema version, 0 when it is missing, empty or cannot be read. */
    private static int schemaVersion(Path stateFile) {
        if (!Files.isRegularFile(stateFile) || size(stateFile) == 0) {
            return 0;
        }
        try (Connection c = SqliteConnector.openReadOnly(stateFile, SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS)) {
            return SqliteMigrations.currentVersion(c);
        } catch (SQLException | RuntimeException e) {
            return 0;
        }
    }

    /** The old store's runner id, so processes a dead runner left are still found by their tag. */
    private static String oldRunnerId(Path stateFile) {
        if (!Files.exists(stateFile) || size(stateFile) == 0) {
            return null;
        }
        try (Connection c = SqliteConnector.openReadOnly(stateFile, SqliteStateStore.DEFAULT_BUSY_TIMEOUT_MS);
             Statement st = c.createStatement()) {
            return SqliteConnector.queryString(st, "SELECT value FROM meta WHERE key = 'runner_id'");
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    static void keepRunnerId(Connection c, String runnerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE meta SET value = ? WHERE key = 'runner_id'")) {
            ps.setString(1, runnerId);
            ps.executeUpdate();
        }
    }

    private static void moveWithSidecars(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        for (String s : SQLITE_SIDECARS) {
            Path side = from.resolveSibling(from.getFileName() + s);
            if (Files.exists(side)) {
                Files.move(side, to.resolveSibling(to.getFileName() + s), StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    private static void deleteWithSidecars(Path file) {
        try {
            Files.deleteIfExists(file);
            for (String s : SQLITE_SIDECARS) {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + s));
            }
        } catch (IOException e) {
            throw new StoreException(file + ": cannot remove it before the rebuild: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            deleteWithSidecars(file);
        } catch (StoreException ignored) {
            // what is left is named state.db.rebuild and is removed by the next rebuild
        }
    }

    private static void force(Path file) throws IOException {
        io.smartrunner.DurableFiles.force(file);
    }

    private static void syncDirectory(Path file) {
        io.smartrunner.DurableFiles.syncDirectory(file.toAbsolutePath().getParent());
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
