package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The first leftover line of a window is said as it is, the rest in one line when the window is
 * over (a profile whose every session leaves a daemon wrote a line per session: 14 a minute). The
 * window is measured on a clock the test moves, and the test runs the planned summary itself.
 */
class LeftoverLinesTest {
    private static final long MS = 1_000_000L;
    /** Never reaches its tasks in this test (a minute away): the test runs the summary itself. */
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final List<String> said = new CopyOnWriteArrayList<>();
    private final LeftoverLines lines = new LeftoverLines(said::add, timers, 60_000, clock::get);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void theFirstLineIsSaidTheRestOfItsWindowInOneLineAndTheNextWindowsFirstAgain() throws Exception {
        lines.killed(2, "killed 2 leftover process(es) of ended session s1 (its cgroup)");
        clock.addAndGet(10 * MS);
        lines.killed(2, "killed 2 leftover process(es) of ended session s2 (its cgroup)");
        clock.addAndGet(10 * MS);
        lines.killed(3, "killed 3 leftover process(es) of ended session s3 (its cgroup)");
        assertEquals(List.of("killed 2 leftover process(es) of ended session s1 (its cgroup)"), said);

        assertEquals(1, timers.getQueue().size(), "one summary planned, for the window's end");
        clock.addAndGet(40_000 * MS);
        lines.summary();
        assertEquals("killed 5 more leftover process(es) of 2 other ended launch(es) in the last minute (their"
                + " cgroups; one such line a minute at most)", said.get(1));

        clock.addAndGet(60_000 * MS);
        lines.killed(1, "killed 1 leftover process(es) of ended session s4 (its cgroup)");
        assertEquals("killed 1 leftover process(es) of ended session s4 (its cgroup)", said.get(2));
    }

    /** Reviewer R13: a run that ended within the minute never said what the minute held back. */
    @Test
    void whatTheMinuteHeldBackIsSaidWhenTheRunnerStops() {
        lines.killed(2, "killed 2 leftover process(es) of ended session s1 (its cgroup)");
        lines.killed(30, "killed 30 leftover process(es) of ended session s2 (its cgroup)");
        lines.killed(30, "killed 30 leftover process(es) of ended session s3 (its cgroup)");

        lines.sayHeldBack();
        lines.sayHeldBack();

        assertEquals(List.of("killed 2 leftover process(es) of ended session s1 (its cgroup)",
                "killed 60 more leftover process(es) of 2 other ended launch(es) since the last such line, before the"
                        + " runner stopped (their cgroups; one such line a minute at most)"), said);
    }
}
