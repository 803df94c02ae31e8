package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BootTicksTest {

    private static double uptimeSeconds() throws Exception {
        String s = Files.readString(Path.of("/proc/uptime"));
        return Double.parseDouble(s.substring(0, s.indexOf(' ')));
    }

    @Test
    void nowIsTheBootClockInTicksRoundedUp() throws Exception {
        long before = (long) Math.floor(uptimeSeconds() * BootTicks.HZ);
        long now = BootTicks.now();
        long after = (long) Math.ceil(uptimeSeconds() * BootTicks.HZ);
        assertTrue(before <= now && now <= after, before + " <= " + now + " <= " + after);
    }

    @Test
    void theBootClockGivesWhatProcUptimeGives() {
        long before = BootTicks.fromUptime();
        long now = BootTicks.now();
        long after = BootTicks.fromUptime();
        assertTrue(before <= now && now <= after, before + " <= " + now + " <= " + after);
    }

    @Test
    void aForkBetweenTwoReadingsInOneTickStartedInThatTick() {
        long tick = 1_000_000_000L / BootTicks.HZ;
        assertEquals(123, BootTicks.startTicksBetween(123 * tick, 123 * tick + tick - 1));
        assertEquals(123, BootTicks.startTicksBetween(123 * tick + 5, 123 * tick + 5));
    }

    @Test
    void readingsThatStraddleATicksEndLeaveTheStartTimeToProc() {
        long tick = 1_000_000_000L / BootTicks.HZ;
        assertEquals(-1, BootTicks.startTicksBetween(123 * tick + tick - 1, 124 * tick));
        assertEquals(-1, BootTicks.startTicksBetween(-1, 124 * tick), "a clock that could not be read");
        assertEquals(-1, BootTicks.startTicksBetween(124 * tick, 123 * tick), "readings out of order");
    }

    @Test
    void theBootClockInNanosecondsIsWhatNowCounts() {
        long before = BootTicks.now();
        long nanos = BootTicks.nanos();
        long after = BootTicks.now();
        long ticks = nanos / (1_000_000_000L / BootTicks.HZ);
        assertTrue(before - 1 <= ticks && ticks <= after, before + " - 1 <= " + ticks + " <= " + after);
    }
}
