package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.Await;
import java.time.Duration;
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
    void oneVariableIsReadFromTheRawEnvironmentAsTheMapHasIt() throws Exception {
        // env(1) execs sleep with exactly this environment: a name that is another's prefix, an empty value
        Process child = new ProcessBuilder("/usr/bin/env", "-i", "SR_SESSION=prefix", "SR_SESSION_ID=s-1", "EMPTY=", "PATH=/usr/bin:/bin", "sleep", "30").start();
        try {
            long pid = child.pid();
            Await.until("sleep's own environment in /proc", Duration.ofSeconds(5),
                    () -> "prefix".equals(ProcFs.environValue(pid, "SR_SESSION")));

            assertEquals("s-1", ProcFs.environValue(pid, "SR_SESSION_ID"));
            assertEquals(ProcFs.environ(pid).get("SR_SESSION_ID"), ProcFs.environValue(pid, "SR_SESSION_ID"));
            assertEquals("", ProcFs.environValue(pid, "EMPTY"));
            assertNull(ProcFs.environValue(pid, "SR_SESSION_I"));
            assertNull(ProcFs.environValue(pid, "HOME"));
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertNull(ProcFs.environValue(Long.MAX_VALUE / 2, "PATH"));
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
