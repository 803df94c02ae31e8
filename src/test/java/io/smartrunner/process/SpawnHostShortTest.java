package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which spawn errnos say the host was short (a process limit, descriptors, memory) rather than the program. */
class SpawnHostShortTest {
    @Test
    void eagainEnomemEmfileAndEnfileAreTheHostsShortageAndSayTheOsWords() {
        SpawnException eagain = SpawnCheck.cannotStart("w.sh", 11);
        assertTrue(eagain.hostShort());
        assertEquals("cannot start \"w.sh\": Resource temporarily unavailable", eagain.getMessage());
        assertTrue(SpawnCheck.cannotStart("w.sh", 12).hostShort());
        assertTrue(SpawnCheck.cannotStart("w.sh", 23).hostShort());
        assertTrue(SpawnCheck.cannotStart("w.sh", 24).hostShort());
        assertFalse(SpawnCheck.cannotStart("w.sh", 2).hostShort(), "ENOENT is the program's");
        assertFalse(SpawnCheck.cannotStart("w.sh", 13).hostShort(), "EACCES is the program's");
    }
}
