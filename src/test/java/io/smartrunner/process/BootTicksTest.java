package io.smartrunner.process;

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
}
