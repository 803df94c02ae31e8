package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;

/** The direct-mapped calls keep errno where the reaper's error messages read it. */
class ReaperLibCTest {
    private static final int EBADF = 9;
    private static final int ESRCH = 3;

    @Test
    void aFailedCallLeavesItsErrnoForTheMessage() {
        assertEquals(-1, ReaperLibC.close(-1));
        assertEquals(EBADF, Native.getLastError());
        assertEquals(-1, ReaperLibC.epoll_ctl(-1, LibC.EPOLL_CTL_DEL, -1, null));
        assertEquals(EBADF, Native.getLastError());
    }

    @Test
    void pidfdOpenOfNoSuchProcessSaysSo() {
        assertEquals(-1, ReaperLibC.syscall(LibC.SYS_PIDFD_OPEN_X86_64, Integer.MAX_VALUE, 0));
        assertEquals(ESRCH, Native.getLastError());
    }
}
