package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.profile.ProfileState;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a session's output is polled next: the shared grid, and sooner for a child that writes fast. */
class SessionTimersTest {
    private static final long MIB = 1 << 20;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long NOW = 7 * SECOND + 123;

    @Test
    void pollsFallOnAGridSharedBySessionsWithTheSameInterval() {
        assertEquals(8 * SECOND, SessionTimers.nextPollAfter(NOW, 0), "rotation alone: every second (reviewer R9)");
        assertEquals(8 * SECOND, SessionTimers.nextPollAfter(NOW, 60 * SECOND), "idle detection: every second");
        assertEquals(7 * SECOND + SECOND / 8, SessionTimers.nextPollAfter(NOW, SECOND), "an eighth of a short idleTimeoutMs");
    }

    /** A quiet session (its logs watched) costs the loop a turn every 5 s, not every second. */
    @Test
    void aSessionWhoseLogsAreWatchedIsPolledEveryFiveSeconds() {
        assertEquals(10 * SECOND, SessionTimers.quietPollAfter(NOW));
        assertEquals(15 * SECOND, SessionTimers.quietPollAfter(10 * SECOND));
    }

    /** Told that a quiet log was written, the loop polls it 100-200 ms later, on a grid shared by every such session. */
    @Test
    void aQuietSessionWrittenAgainIsPolledOnTheNextTenthOfASecondButOne() {
        SessionTimers timers = new SessionTimers((slot, reason, detail) -> {
        }, null);
        ProfileSlot slot = slot("p", 0);
        start(timers, slot, 5 * SECOND);
        timers.beginLook(NOW);
        slot.active.nextPollNanos = 10 * SECOND; // its next quiet poll
        long tenth = SECOND / 10;

        timers.written(slot, slot.active.sessionId(), NOW);

        assertEquals(7 * SECOND + 2 * tenth, slot.active.nextPollNanos, "written at 7.000000123 s");
        assertEquals(7 * SECOND + 2 * tenth, timers.nextDueNanos(), "the loop wakes for it");
        timers.written(slot, slot.active.sessionId(), 7 * SECOND + tenth / 2);
        assertEquals(7 * SECOND + 2 * tenth, slot.active.nextPollNanos, "never later than a poll already due");
        timers.written(slot, "another session", 7 * SECOND);
        assertEquals(7 * SECOND + 2 * tenth, slot.active.nextPollNanos, "a message about an ended session moves nothing");
    }

    @Test
    void aSessionsFirstPollComesWithinASecondOfItsStartOnTheSharedGrid() {
        assertEquals(8 * SECOND, SessionTimers.firstPoll(NOW, 0));
        assertEquals(8 * SECOND, SessionTimers.firstPoll(7 * SECOND, 0), "a start on the grid: a second later");
        // at 500 starts a second, first polls at each start's own instant made a timer due at every turn
        for (long start = NOW; start < 8 * SECOND; start += 19_999_999) {
            assertEquals(8 * SECOND, SessionTimers.firstPoll(start, 0), "started at " + start);
        }
    }

    @Test
    void aLogGrowingByMoreThanAQuarterOfItsCapBetweenPollsIsPolledAsMuchSooner() {
        // 10 MiB cap, 5 MiB in 5 s: twice a quarter, so half the time
        assertEquals(NOW + 2_500_000_000L, SessionTimers.soonerForAFastWriter(NOW, 5 * MIB, 5 * SECOND, 10 * MIB));
        // 110 MB in a second: never sooner than 100 ms
        assertEquals(NOW + TimeUnit.MILLISECONDS.toNanos(100),
                SessionTimers.soonerForAFastWriter(NOW, 110_000_000, SECOND, 10 * MIB));
    }

    @Test
    void aSlowWriterKeepsTheGrid() {
        long far = SessionTimers.soonerForAFastWriter(NOW, 2 * MIB, 5 * SECOND, 10 * MIB);
        assertTrue(far - SessionTimers.nextPollAfter(NOW, 0) > 0, "2 MiB in 5 s is under a quarter: not sooner");
        assertTrue(SessionTimers.soonerForAFastWriter(NOW, 0, 0, 10 * MIB) - NOW > 1000 * SECOND);
    }

    /**
     * Reviewer R9: a hang was noticed up to half of idleTimeoutMs late (4.19 s for 3 000 ms). A
     * child's last write at any instant is seen at the next poll, and the loop's turn runs a little
     * after the grid's instant (here 2 ms), which is the session's last activity; later polls may
     * run on the instant, so the one exactly idleTimeoutMs later falls short of it and the hang
     * waits one more poll. With polls a quarter apart that was idleTimeoutMs and a half; an
     * eighth apart, within idleTimeoutMs and a quarter, as promised.
     */
    @Test
    void aHangIsNoticedWithinItsTimeoutAndAQuarterOfItWhereverTheLastWriteFell() {
        long lateTurn = TimeUnit.MILLISECONDS.toNanos(2);
        for (long idleMs : new long[] {200, 333, 1_000, 2_000, 3_000, 7_000, 8_000, 60_000}) {
            long idle = TimeUnit.MILLISECONDS.toNanos(idleMs);
            long worst = 0;
            for (long write = NOW; write < NOW + 3 * SECOND; write += 7_919_111) { // 379 instants, not on any grid
                long seen = SessionTimers.nextPollAfter(write, idle) + lateTurn;
                long poll = seen;
                while (poll - seen < idle) {
                    poll = SessionTimers.nextPollAfter(poll, idle); // on the instant
                }
                worst = Math.max(worst, poll - write);
            }
            assertTrue(worst <= idle + idle / 4, idleMs + " ms: noticed " + worst / 1e6 + " ms after the last write");
            assertTrue(worst >= idle, "never before the timeout");
        }
    }

    @Test
    void aLookWalksTheProfilesWithARunningSessionNotTheWholeFleet() {
        SessionTimers timers = new SessionTimers((slot, reason, detail) -> {
        }, null);
        ProfileSlot first = slot("first", 0);
        ProfileSlot idle = slot("idle", 1);
        ProfileSlot second = slot("second", 2);
        timers.beginLook(4 * SECOND);
        start(timers, second, 5 * SECOND);
        start(timers, first, 6 * SECOND);

        assertEquals(List.of(second, first), timers.running(), "in start order; a profile without a session is not looked at");
        assertEquals(6 * SECOND, timers.nextDueNanos(), "the first started session's first poll, a second after it");

        second.active = null; // ended
        start(timers, first, 7 * SECOND); // its next session, before the look
        assertEquals(List.of(first), timers.running());
        assertEquals(null, idle.active);
    }

    private static ProfileSlot slot(String id, int order) {
        return new ProfileSlot(new ProfileConfig(id, "pod", null, SessionSettings.defaults(), null, null), order,
                ProfileState.fresh(id, "pod"), 0);
    }

    private static void start(SessionTimers timers, ProfileSlot slot, long startNanos) {
        slot.active = new ActiveSession(new io.smartrunner.store.SessionRecord(slot.config.id() + "-s" + startNanos,
                slot.config.id(), "pod", 0, 0, 0, java.time.Instant.EPOCH, io.smartrunner.store.SessionRecord.Status.RUNNING,
                null, null, null), null, startNanos, TimeUnit.HOURS.toNanos(1), 0);
        timers.armed(slot);
    }
}
