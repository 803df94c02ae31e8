package io.smartrunner.engine;

import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.StateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.store.StoreException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A state store in a map, for the supervisor's deterministic tests. */
final class InMemoryStateStore implements StateStore {
    final Map<String, ProfileState> profiles = new LinkedHashMap<>();
    final Map<String, SessionRecord> sessions = new LinkedHashMap<>();
    boolean failWrites;
    int writes;

    @Override
    public synchronized Map<String, ProfileState> loadProfiles() {
        return Map.copyOf(profiles);
    }

    @Override
    public synchronized List<SessionRecord> openSessions() {
        return sessions.values().stream().filter(s -> s.status() == SessionRecord.Status.RUNNING).toList();
    }

    @Override
    public synchronized List<SessionRecord> recentSessions(String profileId, int limit) {
        return sessions.values().stream().filter(s -> s.profileId().equals(profileId))
                .sorted(Comparator.comparing(SessionRecord::startedAt).reversed()).limit(limit).toList();
    }

    @Override
    public synchronized void write(StateWrite write) {
        if (failWrites) {
            throw new StoreException("state.db: disk I/O error", null);
        }
        writes++;
        write.profiles().forEach(p -> profiles.put(p.profileId(), p));
        write.sessions().forEach(s -> sessions.put(s.sessionId(), s));
    }

    @Override
    public String runnerId() {
        return "runner-test";
    }

    @Override
    public void close() {
    }
}
