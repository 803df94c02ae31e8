package io.smartrunner.event;

import java.util.List;
import java.util.function.Predicate;

/**
 * Events of one pod, profile and/or event name (null = any). The event name is the wire's word a
 * user gives ({@code event=pause}); it is compared with the codec's word for each typed event, so
 * it also matches kinds this version does not know. Besides testing a parsed event it
 * can rule a raw log line out without parsing it: the runner writes compact JSON, so a matching
 * line contains {@code "profileId":"<id>"} byte for byte (names are plain ASCII, never escaped).
 * That makes a filtered read of a large log several times faster.
 */
public record EventFilter(String pod, String profileId, String event) implements Predicate<EventRecord> {
    @Override
    public boolean test(EventRecord e) {
        return (pod == null || pod.equals(e.pod())) && (profileId == null || profileId.equals(e.profileId()))
                && (event == null || event.equals(e.event()));
    }

    /** The byte strings a line must contain to match; empty when anything may match. */
    List<ByteNeedle> needles() {
        return EventJson.needles(pod, profileId, event).stream().map(ByteNeedle::new).toList();
    }

    /** False when the line cannot match (a needle is missing); true means: parse it and test. */
    static boolean mayContain(List<ByteNeedle> needles, byte[] buf, int off, int len) {
        for (ByteNeedle needle : needles) {
            if (!needle.in(buf, off, len)) {
                return false;
            }
        }
        return true;
    }
}
