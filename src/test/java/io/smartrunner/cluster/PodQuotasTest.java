package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pod's slots divided among the live runners: every runner with profiles to run gets its turn. */
class PodQuotasTest {
    @Test
    void everyRunnerWithProfilesGetsOneAndTheRestGoesByWeightAddingUpToTheConcurrency() {
        // reviewer R4's pod: ceil caps were 2, 1, 3, 1 (7 of 6), and the runner that joined last held none
        assertEquals(Map.of(1L, 2, 2L, 1, 3L, 2, 4L, 1), PodQuotas.of(6, Map.of(1L, 3, 2L, 2, 3L, 6, 4L, 1), 0));
        assertEquals(Map.of(1L, 2, 2L, 1), PodQuotas.of(3, Map.of(1L, 3, 2L, 3), 5), "a tie goes to the older");
        assertEquals(Map.of(7L, 4), PodQuotas.of(4, Map.of(7L, 9, 8L, 0), 0), "a runner with nothing to run is due none");
        assertEquals(Map.of(), PodQuotas.of(4, Map.of(7L, 0), 0));
        for (int c = 1; c <= 40; c++) {
            Map<Long, Integer> q = PodQuotas.of(c, Map.of(1L, 7, 2L, 1, 3L, 13), 0);
            assertEquals(c, q.values().stream().mapToInt(Integer::intValue).sum(), "concurrency " + c + ": " + q);
        }
    }

    @Test
    void withFewerSlotsThanRunnersTheSlotsGoRoundMinuteByMinute() {
        Map<Long, Integer> four = Map.of(10L, 5, 20L, 5, 30L, 5, 40L, 5);
        assertEquals(Map.of(10L, 1, 20L, 1), PodQuotas.of(2, four, 0));
        assertEquals(Map.of(20L, 1, 30L, 1), PodQuotas.of(2, four, 1));
        assertEquals(Map.of(40L, 1, 10L, 1), PodQuotas.of(2, four, 3));
        assertEquals(Map.of(10L, 1, 20L, 1), PodQuotas.of(2, four, 29_000_004L), "the database's minute, mod 4");
    }
}
