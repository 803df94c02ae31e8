package io.smartrunner.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.session.SessionScheduler.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionSchedulerTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    private static List<String> ids(List<Candidate> cs) {
        return cs.stream().map(Candidate::profileId).toList();
    }

    @Test
    void startsLeastRecentlyRunFirstNeverRunBeforeAll() {
        SessionScheduler s = new SessionScheduler(2, Map.of("podA", 10));
        List<Candidate> eligible = List.of(
                new Candidate("recent", "podA", T.plusSeconds(50), 0),
                new Candidate("old", "podA", T.plusSeconds(1), 1),
                new Candidate("never", "podA", null, 2));
        assertEquals(List.of("never", "old"), ids(s.pick(eligible, Map.of())));
    }

    @Test
    void respectsGlobalLimitCountingRunningSessions() {
        SessionScheduler s = new SessionScheduler(3, Map.of("podA", 10, "podB", 10));
        List<Candidate> eligible = List.of(new Candidate("a", "podA", null, 0), new Candidate("b", "podB", null, 1));
        assertEquals(List.of("a"), ids(s.pick(eligible, Map.of("podB", 2))));
        assertEquals(List.of(), ids(s.pick(eligible, Map.of("podA", 3))));
    }

    @Test
    void respectsPodLimitWhileOtherPodsKeepStarting() {
        SessionScheduler s = new SessionScheduler(10, Map.of("podA", 1, "podB", 5));
        List<Candidate> eligible = List.of(
                new Candidate("a1", "podA", null, 0), new Candidate("a2", "podA", null, 1),
                new Candidate("b1", "podB", null, 2));
        assertEquals(List.of("a1", "b1"), ids(s.pick(eligible, Map.of())));
        assertEquals(List.of("b1"), ids(s.pick(eligible, Map.of("podA", 1))));
    }

    @Test
    void wouldStartAnyAgreesWithPickWithoutOrdering() {
        SessionScheduler s = new SessionScheduler(3, Map.of("podA", 1, "podB", 5));
        List<Candidate> a = List.of(new Candidate("a1", "podA", null, 0));
        List<Candidate> ab = List.of(new Candidate("a1", "podA", null, 0), new Candidate("b1", "podB", T, 1));
        for (Map<String, Integer> running : List.of(Map.<String, Integer>of(), Map.of("podA", 1), Map.of("podB", 3),
                Map.of("podA", 1, "podB", 1))) {
            assertEquals(!s.pick(a, running).isEmpty(), s.wouldStartAny(a, running), "a, running " + running);
            assertEquals(!s.pick(ab, running).isEmpty(), s.wouldStartAny(ab, running), "a and b, running " + running);
        }
        assertEquals(false, s.wouldStartAny(a, Map.of("podA", 1)), "podA is full");
        assertEquals(false, s.wouldStartAny(ab, Map.of("podB", 3)), "the global limit is full");
        assertEquals(true, s.wouldStartAny(ab, Map.of("podA", 1)), "b fits");
    }
}
