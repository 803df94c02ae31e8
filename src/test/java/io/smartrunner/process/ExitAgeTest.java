package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the scheduler clock out of /proc/<pid>/sched (the e2e FrozenRunnerDurationTest uses the real one). */
class ExitAgeTest {
    @TempDir
    Path dir;

    @Test
    void execStartIsReadInNanosecondsAndAnythingElseIsUnknown() throws Exception {
        Path sched = dir.resolve("sched");
        Files.writeString(sched, """
                sleep (10617, #threads: 1)
                -------------------------------------------------------------------
                se.exec_start                                :        163089.789310
                se.vruntime                                  :         95581.215173
                """);
        assertEquals(163_089_789_310L, ExitAge.execStartNanos(sched));
        Files.writeString(sched, "se.exec_start : 12.5\n");
        assertEquals(12_500_000L, ExitAge.execStartNanos(sched));
        Files.writeString(sched, "no such field\n");
        assertEquals(-1, ExitAge.execStartNanos(sched));
        assertEquals(-1, ExitAge.execStartNanos(dir.resolve("missing")));
        assertEquals(0, ExitAge.nanosAgo(Integer.MAX_VALUE), "no such process: as if it exited just now");
    }
}
