package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** An end in words for a message, never the record's own text (reviewer R24 saw an internal clock reading). */
class ExitStatusDescribeTest {
    @Test
    void saysTheCodeTheSignalOrWhyItNeverStarted() {
        assertEquals("exit code 127", ExitStatus.exited(127).at(12_928_699_402_339L).describe());
        assertEquals("killed by SIGKILL", new ExitStatus(137, "SIGKILL", null).describe());
        assertEquals("not started: No such file or directory",
                new ExitStatus(-1, null, "No such file or directory").describe());
    }
}
