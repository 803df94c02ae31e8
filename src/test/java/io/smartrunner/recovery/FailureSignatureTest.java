package io.smartrunner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The same failure maps to the same signature however its details vary. */
class FailureSignatureTest {
    @Test
    void readsReasonExitAndAShortHashOfTheTail() {
        FailureSignature s = FailureSignature.of("exit", "3", "Error: login page did not load\n");

        assertTrue(s.id().matches("exit/3/[0-9a-f]{8}"), s.id());
        assertEquals("exit", s.reason());
        assertEquals("3", s.exit());
    }

    @Test
    void pidsPortsPathsUuidsHexAndTimestampsDoNotMakeANewSignature() {
        String a = "2025-01-08T10:30:00Z worker 4242: cannot connect to 127.0.0.1:9222 (session"
                + " 0b6e4a1c-2f3d-4e5f-8a9b-0c1d2e3f4a5b) at 0x7ffd1234 in /tmp/sr-abc123/profile-1/Cache\n";
        String b = "2026-12-01T17:00:59Z worker 77: cannot connect to 127.0.0.1:40111 (session"
                + " f00dbabe-0000-4e5f-8a9b-ffffffffffff) at 0x1 in /var/tmp/other/dir\n";

        assertEquals(FailureSignature.of("exit", "1", a), FailureSignature.of("exit", "1", b));
        assertEquals(FailureSignature.normalise(b), FailureSignature.normalise(a));
    }

    @Test
    void aDifferentMessageExitOrReasonIsADifferentSignature() {
        FailureSignature base = FailureSignature.of("exit", "1", "cannot connect");

        assertNotEquals(base.id(), FailureSignature.of("exit", "1", "login rejected").id());
        assertNotEquals(base.id(), FailureSignature.of("exit", "2", "cannot connect").id());
        assertNotEquals(base.id(), FailureSignature.of("timeout", "1", "cannot connect").id());
    }

    @Test
    void onlyTheLastThreeLinesCountSoACutOffFirstLineDoesNot() {
        String tail = "lf of a line cut by stderrTailBytes\nstep 1\nstep 2\nfatal: boom\n\n";

        assertEquals(FailureSignature.of("exit", "1", "other earlier output\nstep 7\nstep 9\nfatal: boom"),
                FailureSignature.of("exit", "1", tail));
    }

    @Test
    void noExitAndNoTailAreDashes() {
        assertEquals("signal/-/-", FailureSignature.of("signal", null, "").id());
        assertEquals("hang/-/-", FailureSignature.of("hang", null, null).id());
    }

    @Test
    void isReadOffTheFailuresErrorEvent() {
        Instant t = Instant.parse("2025-01-08T10:30:00Z");
        var error = Events.sessionFailed(t, "podA", "p1", "s1",
                Params.builder().put(EventParams.REASON, "exit").put(EventParams.EXIT_CODE, 3)
                        .put(EventParams.STDERR_TAIL, "boom 12").build(), 5L);
        var killed = Events.sessionFailed(t, "podA", "p1", "s2",
                Params.builder().put(EventParams.REASON, "signal").put(EventParams.SIGNAL, "SIGKILL")
                        .put(EventParams.STDERR_TAIL, "").build(), 5L);

        assertEquals(FailureSignature.of("exit", "3", "boom 99"), FailureSignature.ofFailure(List.of(error), "s1"));
        assertEquals("signal/SIGKILL/-", FailureSignature.ofFailure(List.of(error, killed), "s2").id());
        assertNull(FailureSignature.ofFailure(List.of(error), "s9"), "not this session's failure");
    }
}
