package io.smartrunner.profile;

import com.fasterxml.jackson.core.JsonGenerator;
import io.smartrunner.event.EventTimestamps;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The spec's state object for a profile, plus what users need to act on it; shared by `status
 * --json` and the API. {@link #of} as a map, {@link #write} the same fields straight into a
 * stream (the whole fleet's listing: 10 000 profiles without 20 000 maps and databind's walk over
 * them); {@code ProfileStateJsonTest} holds the two equal.
 */
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

    /** The fields of {@link #of}, in its order, into an object {@code g} has started (the caller ends it). */
    public static void write(JsonGenerator g, ProfileState s) throws IOException {
        g.writeStringField("profileId", s.profileId());
        g.writeStringField("pod", s.pod());
        g.writeNumberField("errorStreak", s.errorStreak());
        g.writeObjectFieldStart("flags");
        g.writeBooleanField("running", s.running());
        g.writeBooleanField("needsRecovery", s.needsRecovery());
        g.writeBooleanField("paused", s.paused());
        g.writeEndObject();
        g.writeStringField("pausedUntil", iso(s.pausedUntil()));
        g.writeStringField("pausedAt", iso(s.pausedAt()));
        g.writeStringField("lastSessionId", s.lastSessionId());
        g.writeStringField("lastError", s.lastError());
        g.writeStringField("lastStartedAt", iso(s.lastStartedAt()));
        g.writeStringField("lastFinishedAt", iso(s.lastFinishedAt()));
        g.writeNumberField("pauseCount", s.pauseCount());
    }

    private static String iso(Instant i) {
        return i == null ? null : EventTimestamps.iso(i);
    }
}
