package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The run-id prefixes are read back off the processes an older runner left: they must not drift. */
class RunTagTest {
    @Test
    void eachKindOfRunIsRecognisedByItsTag() {
        assertEquals(RunTag.SESSION, RunTag.of("0b7c6a9e-5a0e-4f7e-9d1e-2f3c4b5a6d7e"));
        assertEquals(RunTag.RECOVERY_STEP, RunTag.of(RunTag.recoveryStep("0b7c6a9e", 3)));
        assertEquals(RunTag.BROWSER, RunTag.of(RunTag.browser("p1")));
    }

    @Test
    void theTagsKeepTheirWireFormat() {
        assertEquals("recovery-s1-2", RunTag.recoveryStep("s1", 2));
        assertTrue(RunTag.browser("p1").startsWith("browser-p1-"));
        assertEquals("browser-p1-", RunTag.browserPrefix("p1"));
    }
}
