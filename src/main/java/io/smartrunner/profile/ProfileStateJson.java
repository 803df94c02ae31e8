package io.smartrunner.profile;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The spec's state object for a profile, plus what users need to act on it; shared by `status --json` and the API. */
public final class ProfileStateJson {
    private ProfileStateJson() {
    }

    public static Map<String, Object> of(ProfileState s) {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("running", s.running());
        flags.put("needsRecovery", s.needsRecovery());
        flags.put("paused", s.paused());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("profileId", s.profileId());
        m.put("pod", s.pod());
        m.put("errorStreak", s.errorStreak());
        m.put("flags", flags);
        m.put("pausedUntil", iso(s.pausedUntil()));
        m.put("pausedAt", iso(s.pausedAt()));
        m.put("lastSessionId", s.lastSessionId());
        m.put("lastError", s.lastError());
        m.put("lastStartedAt", iso(s.lastStartedAt()));
        m.put("lastFinishedAt", iso(s.lastFinishedAt()));
        m.put("pauseCount", s.pauseCount());
        return m;
    }

    private static String iso(Instant i) {
        return i == null ? null : i.toString();
    }
}
