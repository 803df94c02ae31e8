package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.util.List;

/** Everything one supervisor step persists, written in one transaction: upserts by id. */
public record StateWrite(List<ProfileState> profiles, List<SessionRecord> sessions) {
    public StateWrite {
        profiles = List.copyOf(profiles);
        sessions = List.copyOf(sessions);
    }

    public boolean isEmpty() {
        return profiles.isEmpty() && sessions.isEmpty();
    }
}
