package io.smartrunner.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcHostPressureTest {
    @TempDir
    Path dir;

    @Test
    void readsMemAvailableInMibAndTheOneMinuteLoadPerProcessor() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"),
                "MemTotal:       24731184 kB\nMemFree:          123456 kB\nMemAvailable:     524288 kB\n");
        Path loadavg = Files.writeString(dir.resolve("loadavg"), "3.00 2.50 1.00 2/338 5915\n");
        HostReading r = new ProcHostPressure(meminfo, loadavg, () -> 2).read();
        assertEquals(512, r.availableMemoryMb());
        assertEquals(1.5, r.loadPerCore());
    }

    @Test
    void whatCannotBeReadIsUnknown() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal: 1000 kB\n"); // kernel < 3.14
        HostReading r = new ProcHostPressure(meminfo, dir.resolve("missing"), () -> 2).read();
        assertFalse(r.memoryKnown());
        assertFalse(r.loadKnown());
    }

    @Test
    void theMachinesOwnProcIsReadable() {
        HostReading r = ProcHostPressure.system().read();
        assertTrue(r.memoryKnown() && r.availableMemoryMb() > 0, r.toString());
        assertTrue(r.loadKnown() && r.loadPerCore() >= 0, r.toString());
    }
}
