package io.smartrunner.process;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The runner's lines about what ended launches left in their cgroups ({@code killed 2 leftover
 * process(es) of ended session …}): the first of each minute as it is, the rest counted and said
 * in one line when the minute is over. A profile whose sessions each leave a daemon behind wrote
 * a line per session (a reviewer's four such profiles: 14 lines a minute, 20 000 a day, into the
 * journal). Thread-safe.
 */
final class LeftoverLines {
    static final long WINDOW_MS = 60_000;

    private final Consumer<String> say;
    private final ScheduledExecutorService timers;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private long windowStart;
    private boolean windowOpen;
    private int moreLaunches;
    private int moreProcesses;
    private boolean summaryDue;

    LeftoverLines(Consumer<String> say, ScheduledExecutorService timers) {
        this(say, timers, WINDOW_MS, System::nanoTime);
    }

    /**
     * @param windowMs how long a verbatim line speaks for (tests shorten the minute)
     * @param nanoTime the monotonic clock the window is measured on
     */
    LeftoverLines(Consumer<String> say, ScheduledExecutorService timers, long windowMs, LongSupplier nanoTime) {
        this.say = say;
        this.timers = timers;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMs);
        this.nanoTime = nanoTime;
    }

    /** Says nothing: for launches outside any containment. */
    static LeftoverLines silent() {
        return new LeftoverLines(line -> { }, null);
    }

    /** {@code processes} were killed in an ended launch's cgroup; {@code line} says so. */
    void killed(int processes, String line) {
        boolean sayIt;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            sayIt = !windowOpen || now - windowStart >= windowNanos;
            if (sayIt) {
                windowOpen = true;
                windowStart = now;
            } else {
                moreLaunches++;
                moreProcesses += processes;
                if (!summaryDue && timers != null) {
                    summaryDue = true;
                    long left = windowNanos - (now - windowStart);
                    timers.schedule((Runnable) this::summary, Math.max(0, left), TimeUnit.NANOSECONDS);
                }
            }
        }
        if (sayIt) {
            say.accept(line);
        }
    }

    /** Says what the window left out (on the timer thread at the window's end). */
    void summary() {
        summary("in the last minute");
    }

    /**
     * At the runner's end: what the window left out so far (a run that ended within the minute
     * never said it, reviewer R13: 29 sweeps, about 435 processes, one line).
     */
    void sayHeldBack() {
        summary("since the last such line, before the runner stopped");
    }

    private void summary(String when) {
        String line;
        synchronized (this) {
            summaryDue = false;
            if (moreLaunches == 0) {
                return;
            }
            line = "killed " + moreProcesses + " more leftover process(es) of " + moreLaunches
                    + " other ended launch(es) " + when + " (their cgroups; one such line a minute at most)";
            moreLaunches = 0;
            moreProcesses = 0;
            windowStart = nanoTime.getAsLong(); // the summary spoke for this minute
        }
        say.accept(line);
    }
}
