package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcFsTest {

    @Test
    void parsesStatLineWhoseCommandNameHasSpacesAndParentheses() {
        String line = "4242 (a) b (c) d) S 1 4240 4239 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 "
                + "1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

        ProcStat stat = ProcStat.parse(line);

        assertEquals(new ProcStat(4242, 1, 4240, 4239, 987654, 'S'), stat);
    }

    @Test
    void scanFindsThisJvmWithItsStartTicksAndEnvironment() {
        long self = ProcessHandle.current().pid();

        Map<Long, ProcStat> all = ProcFs.scan();

        assertTrue(all.containsKey(self));
        assertEquals(ProcFs.stat(self).orElseThrow().startTicks(), all.get(self).startTicks());
        assertEquals(System.getenv("PATH"), ProcFs.environ(self).get("PATH"));
    }

    @Test
    void vanishedProcessReadsAsEmpty() {
        assertTrue(ProcFs.stat(Long.MAX_VALUE / 2).isEmpty());
        assertTrue(ProcFs.environ(Long.MAX_VALUE / 2).isEmpty());
    }

    @Test
    void stepsDueTogetherShareOneScanButALaterStepGetsANewOne() {
        long seen = ProcSnapshot.latest();

        ProcSnapshot first = ProcSnapshot.after(seen);
        ProcSnapshot second = ProcSnapshot.after(seen);
        ProcSnapshot later = ProcSnapshot.after(ProcSnapshot.latest());

        assertSame(first, second);
        assertNotSame(first, later);
        assertEquals(System.getenv().getOrDefault("SR_SESSION_ID", ""),
                later.sessionIdOf(ProcessHandle.current().pid()));
    }
}
