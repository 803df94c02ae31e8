package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reaper's way out: HotSpot's exit waits up to 300 ms for every thread still in a native
 * call, and the reaper's thread sits in {@code epoll_wait} for good, so {@code Main} ends it
 * before {@code System.exit} (each runner's stop took 0.3 s longer before).
 */
class PidfdReaperCloseTest {
    @Test
    void closingEndsTheThreadAndClosesItsDescriptors() throws Exception {
        long threadsBefore = reaperThreads();
        Map<Integer, String> fdsBefore = OpenDescriptors.ofSelf();
        PidfdReaper reaper = new PidfdReaper();
        assertEquals(threadsBefore + 1, reaperThreads());
        assertEquals(count(fdsBefore, "[eventfd]") + 1, count(OpenDescriptors.ofSelf(), "[eventfd]"));

        assertTrue(reaper.close(10_000), "the thread left its wait");

        assertEquals(threadsBefore, reaperThreads());
        Map<Integer, String> fdsAfter = OpenDescriptors.ofSelf();
        assertEquals(count(fdsBefore, "[eventfd]"), count(fdsAfter, "[eventfd]"));
        assertEquals(count(fdsBefore, "[eventpoll]"), count(fdsAfter, "[eventpoll]"));
    }

    private static long reaperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sr-reaper") && t.isAlive()).count();
    }

    private static long count(Map<Integer, String> fds, String kind) {
        return fds.values().stream().filter(target -> target.endsWith(kind)).count();
    }
}
