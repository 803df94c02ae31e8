package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventTimestampsTest {

    private static void same(Instant ts) {
        assertEquals(EventTimestamps.FORMAT.format(ts), EventTimestamps.format(ts), ts.toString());
    }

    @Test
    void theFastPathWritesWhatTheFormatterWrites() {
        for (String edge : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
                "2000-02-29T12:00:00.5Z", "2100-02-28T23:59:59.001Z", "2100-03-01T00:00:00Z",
                "2026-12-02T09:30:00.123456Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
                "+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z", "1600-02-29T00:00:00Z"}) {
            same(Instant.parse(edge));
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            same(Instant.ofEpochSecond(random.nextLong(-62_167_219_200L - 86_400, 253_402_300_800L + 86_400),
                    random.nextInt(1_000_000_000)));
        }
    }

    @Test
    void itIsAlwaysThreeFractionDigitsInUtc() {
        assertEquals("2026-12-02T09:30:00.000Z", EventTimestamps.format(Instant.parse("2026-12-02T09:30:00Z")));
        assertEquals("2026-12-02T09:30:00.120Z", EventTimestamps.format(Instant.parse("2026-12-02T09:30:00.12Z")));
    }

    @Test
    void isoWritesWhatInstantToStringWrites() {
        for (String edge : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
                "2000-02-29T12:00:00.5Z", "2026-12-02T09:30:00.120Z", "2026-12-02T09:30:00.123456Z",
                "2026-12-02T09:30:00.000001Z", "2026-12-02T09:30:00.100000001Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z"}) {
            Instant ts = Instant.parse(edge);
            assertEquals(ts.toString(), EventTimestamps.iso(ts), edge);
        }
        SplittableRandom random = new SplittableRandom(7);
        int[] grains = {1_000_000_000, 1_000_000, 1_000, 1}; // whole seconds, millis, micros, nanos
        for (int i = 0; i < 200_000; i++) {
            int grain = grains[i % grains.length];
            Instant ts = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L - 86_400, 253_402_300_800L + 86_400),
                    random.nextInt(1_000_000_000) / grain * grain);
            assertEquals(ts.toString(), EventTimestamps.iso(ts));
        }
    }

    /** The fast path's answer, or the exception's class when it throws: must be {@link Instant#parse}'s. */
    private static Object parsed(java.util.function.Function<String, Instant> parse, String text) {
        try {
            return parse.apply(text);
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    private static void parsesAsInstant(String text) {
        assertEquals(parsed(Instant::parse, text), parsed(EventTimestamps::parse, text), text);
    }

    @Test
    void parseReadsWhatInstantParseReads() {
        for (String edge : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
                "2000-02-29T12:00:00.5Z", "2100-02-29T00:00:00Z", "2100-02-28T23:59:59.001Z", "1600-02-29T00:00:00Z",
                "2026-12-02T09:30:00.123456Z", "2026-12-02T09:30:00.1234567890Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z",
                "2026-12-31T23:59:60Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-00-10T00:00:00Z",
                "2026-12-02T24:00:00Z", "2026-12-02T09:60:00Z", "2026-12-02t09:30:00.123z", "2026-12-02T09:30:00.Z",
                "2026-12-02T09:30:00.123+01:00", "2026-12-02T09:30:00", "2026-1a-02T09:30:00.123Z",
                "2026-12-02T09:30:00.12aZ", "２026-12-02T09:30:00Z", "", "Z", "garbage, not a time at all"}) {
            parsesAsInstant(edge);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            Instant ts = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L - 86_400, 253_402_300_800L + 86_400),
                    random.nextInt(1_000_000_000));
            parsesAsInstant(EventTimestamps.format(ts));
            parsesAsInstant(EventTimestamps.iso(ts));
            char[] damaged = EventTimestamps.format(ts).toCharArray();
            damaged[random.nextInt(damaged.length)] = (char) random.nextInt(32, 127);
            parsesAsInstant(new String(damaged));
        }
    }
}
