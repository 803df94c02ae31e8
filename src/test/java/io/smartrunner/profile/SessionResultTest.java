package io.smartrunner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.process.ExitStatus;
import org.junit.jupiter.api.Test;

/** DESIGN §2 "Failure detection": how a session's exit is classified. */
class SessionResultTest {
    @Test
    void anExitIsClassifiedBySpawnErrorThenSignalThenCode() {
        assertEquals(new SessionResult(FailureReason.SPAWN, null, null, "no such file", "", 0L),
                SessionResult.ofExit(new ExitStatus(-1, null, "No such file"), "no such file", "", 0));
        assertEquals(new SessionResult(FailureReason.SIGNAL, null, "SIGKILL", "killed by SIGKILL", "t", 5L),
                SessionResult.ofExit(new ExitStatus(137, "SIGKILL", null), null, "t", 5));
        assertEquals(new SessionResult(FailureReason.EXIT, 3, null, "exited with code 3", "", 7L),
                SessionResult.ofExit(ExitStatus.exited(3), null, "", 7));
        assertTrue(SessionResult.ofExit(ExitStatus.exited(0), null, "", 7).succeeded());
    }

    @Test
    void aStoppedSessionKeepsTheStopsReasonWhateverTheExit() {
        assertEquals(new SessionResult(FailureReason.TIMEOUT, null, "SIGTERM", "ran too long", "", 9L),
                SessionResult.stopped(FailureReason.TIMEOUT, new ExitStatus(143, "SIGTERM", null), "ran too long",
                        "", 9));
        assertEquals(new SessionResult(FailureReason.SHUTDOWN, 0, null, "stopping", "", 9L),
                SessionResult.stopped(FailureReason.SHUTDOWN, ExitStatus.exited(0), "stopping", "", 9));
    }

    /**
     * behaviour.md: a session the runner stopped carries what its child ended with after the stop.
     * A JVM child exits 143 on the SIGTERM (reviewer R15 F8 found the docs promising null for
     * every timeout and hang); a shell's child the SIGTERM killed has no exit code, its signal instead.
     */
    @Test
    void aStoppedSessionCarriesTheExitCodeOrSignalTheChildEndedWith() {
        assertEquals(new SessionResult(FailureReason.HANG, 143, null, "printed nothing", "", 9L),
                SessionResult.stopped(FailureReason.HANG, ExitStatus.exited(143), "printed nothing", "", 9));
        assertEquals(new SessionResult(FailureReason.TIMEOUT, null, "SIGKILL", "ran too long", "", 9L),
                SessionResult.stopped(FailureReason.TIMEOUT, new ExitStatus(137, "SIGKILL", null), "ran too long",
                        "", 9));
    }
}
