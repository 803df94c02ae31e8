package io.smartrunner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streamed fields say exactly what the map does, byte for byte, for states with and without every optional part. */
class ProfileStateJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writingAStateGivesTheSameJsonAsItsMap() throws Exception {
        Instant t = Instant.parse("2026-12-03T12:00:00.123456789Z");
        List<ProfileState> states = List.of(
                ProfileState.fresh("p-1", "pod"),
                new ProfileState("p-2", "pod b", 4, true, true, true, t.plusSeconds(86_400), "s-1",
                        "exit 2: \"quoted\" \\ tab\t é ✓ \u0001", t, t.plusMillis(1500), 3, t),
                new ProfileState("p-3", "pod", 0, false, false, false, null, "s-2", null,
                        Instant.parse("2026-12-03T12:00:00Z"), Instant.parse("2026-12-03T12:00:00.100Z"), 0, null));
        for (ProfileState s : states) {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
                g.writeStartObject();
                ProfileStateJson.write(g, s);
                g.writeEndObject();
            }
            assertEquals(JSON.writeValueAsString(ProfileStateJson.of(s)), out.toString(), s.profileId());
        }
    }
}
