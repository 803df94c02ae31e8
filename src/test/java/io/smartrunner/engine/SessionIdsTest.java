package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SessionIdsTest {

    @Test
    void anIdIsAVersion7UuidCarryingItsStartsMillisecond() {
        Instant start = Instant.parse("2026-12-03T05:00:00.123Z");
        UUID id = UUID.fromString(new SessionIds(1).next(start));

        assertEquals(7, id.version());
        assertEquals(2, id.variant()); // RFC 9562's variant, 10 in binary
        assertEquals(start.toEpochMilli(), id.getMostSignificantBits() >>> 16);
    }

    @Test
    void idsOfLaterStartsSortAfterEarlierOnesAsTheStoresIndexesSeeThem() {
        SessionIds ids = new SessionIds(42);
        Instant t = Instant.parse("2026-12-03T05:00:00Z");
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            made.add(ids.next(t.plusMillis(i)));
        }

        List<String> sorted = new ArrayList<>(made);
        sorted.sort(null); // the text order the stores' indexes keep
        assertEquals(made, sorted);
    }

    @Test
    void idsOfOneMillisecondSortInTheOrderTheyWereMade() {
        SessionIds ids = new SessionIds(3);
        Instant t = Instant.parse("2026-12-03T05:00:00.007Z");
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            made.add(ids.next(i < 500 ? t : t.plusMillis(1)));
        }

        List<String> sorted = new ArrayList<>(made);
        sorted.sort(null);
        assertEquals(made, sorted);
        assertTrue(made.stream().allMatch(s -> UUID.fromString(s).version() == 7 && UUID.fromString(s).variant() == 2));
    }

    @Test
    void idsOfOneMillisecondDifferInTheirRandomPart() {
        SessionIds ids = new SessionIds(7);
        Instant t = Instant.parse("2026-12-03T05:00:00Z");
        Set<String> made = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            made.add(ids.next(t));
        }
        assertEquals(100_000, made.size());
    }

    @Test
    void twoGeneratorsSeededFromTheSystemDoNotRepeatEachOther() {
        Instant t = Instant.parse("2026-12-03T05:00:00Z");
        Set<String> made = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            made.add(new SessionIds().next(t)); // a fresh runner each time, all in one millisecond
        }
        assertEquals(1000, made.size());
        assertTrue(made.stream().allMatch(s -> s.startsWith(idPrefix(t))));
    }

    private static String idPrefix(Instant t) {
        String hex = String.format("%012x", t.toEpochMilli());
        return hex.substring(0, 8) + "-" + hex.substring(8);
    }
}
