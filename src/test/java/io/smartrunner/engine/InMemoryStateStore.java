package io.smartrunner.engine;

import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.LadderStat;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.store.StoreException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A state store in a map, for the supervisor's deterministic tests. It passes the same
 * {@link io.smartrunner.store.StateStoreContractTest} as SQLite (see
 * {@link InMemoryStateStoreContractTest}): instants are kept to the millisecond, a write is all or
 * nothing, a session of an unknown profile is refused (SQLite's foreign key), and
 * {@link #open(Path)} keeps each dir's data across close and reopen.
 */
final class InMemoryStateStore implements StateStore {
    /** What {@link #open(Path)} reopens: the data of each dir, for the life of the test JVM. */
    private static final Map<Path, InMemoryStateStore> BY_DIR = new ConcurrentHashMap<>();

    final Map<String, ProfileState> profiles;
    final Map<String, SessionRecord> sessions;
    /** Keyed by signature + NUL + step, in insertion order. */
    final Map<String, LadderStat> ladderStats;
    private final String runnerId;
    boolean failWrites;
    int writes;
    /** Told of each write once it is applied (a test that acts at the instant a row lands). */
    java.util.function.Consumer<StateWrite> afterWrite = w -> { };

    /** A fresh store not tied to any dir, with the runner id the engine tests expect. */
    InMemoryStateStore() {
        this(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), "runner-test");
    }

    private InMemoryStateStore(Map<String, ProfileState> profiles, Map<String, SessionRecord> sessions,
                               Map<String, LadderStat> ladderStats, String runnerId) {
        this.profiles = profiles;
        this.sessions = sessions;
        this.ladderStats = ladderStats;
        this.runnerId = runnerId;
    }

    /** The store of {@code dir}: created empty with its own runner id on first open, the same data after. */
    static InMemoryStateStore open(Path dir) {
        InMemoryStateStore data = BY_DIR.computeIfAbsent(dir.toAbsolutePath().normalize(),
                d -> new InMemoryStateStore(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(),
                        UUID.randomUUID().toString()));
        return new InMemoryStateStore(data.profiles, data.sessions, data.ladderStats, data.runnerId);
    }

    @Override
    public Map<String, ProfileState> loadProfiles() {
        synchronized (profiles) {
            return Map.copyOf(profiles);
        }
    }

    @Override
    public List<SessionRecord> openSessions() {
        synchronized (profiles) {
            return sessions.values().stream().filter(s -> s.status() == SessionRecord.Status.RUNNING).toList();
        }
    }

    @Override
    public List<SessionRecord> recentSessions(String profileId, int limit) {
        synchronized (profiles) {
            return sessions.values().stream().filter(s -> s.profileId().equals(profileId))
                    .sorted(Comparator.comparing(SessionRecord::startedAt).reversed()).limit(limit).toList();
        }
    }

    /** All or nothing, as one SQLite transaction: every row is checked before any is applied. */
    @Override
    public void write(StateWrite write) {
        synchronized (profiles) {
            if (failWrites) {
                throw new StoreException("state.db: disk I/O error", null);
            }
            for (SessionRecord s : write.sessions()) {
                boolean known = profiles.containsKey(s.profileId())
                        || write.profiles().stream().anyMatch(p -> p.profileId().equals(s.profileId()));
                if (!known) {
                    throw new StoreException("in-memory store: rejected by a constraint (session " + s.sessionId()
                            + " of unknown profile " + s.profileId() + ")", null);
                }
            }
            writes++;
            write.profiles().forEach(p -> profiles.put(p.profileId(), toMillis(p)));
            write.sessions().forEach(s -> sessions.put(s.sessionId(), toMillis(s)));
        }
        afterWrite.accept(write);
    }

    @Override
    public List<LadderStat> loadLadderStats() {
        synchronized (profiles) {
            return ladderStats.values().stream().sorted(Comparator.comparing(LadderStat::signature)
                    .thenComparing(LadderStat::step)).toList();
        }
    }

    @Override
    public void writeLadderStats(List<LadderStat> stats) {
        synchronized (profiles) {
            if (failWrites) {
                throw new StoreException("state.db: disk I/O error", null);
            }
            for (LadderStat s : stats) {
                ladderStats.put(s.signature() + '\0' + s.step(), new LadderStat(s.signature(), s.step(), s.attempts(),
                        s.successes(), s.sampleReason(), s.sampleExit(), ms(s.updatedAt())));
            }
        }
    }

    @Override
    public String runnerId() {
        return runnerId;
    }

    @Override
    public void close() {
    }

    private static ProfileState toMillis(ProfileState p) {
        return new ProfileState(p.profileId(), p.pod(), p.errorStreak(), p.running(), p.needsRecovery(), p.paused(),
                ms(p.pausedUntil()), p.lastSessionId(), p.lastError(), ms(p.lastStartedAt()), ms(p.lastFinishedAt()),
                p.pauseCount(), ms(p.pausedAt()));
    }

    private static SessionRecord toMillis(SessionRecord s) {
        return new SessionRecord(s.sessionId(), s.profileId(), s.pod(), s.pid(), s.pidStartTicks(), s.pgid(),
                ms(s.startedAt()), s.status(), ms(s.endedAt()), s.reason(), s.exitCode());
    }

    private static Instant ms(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
    }
}
