package io.smartrunner.engine;

import io.smartrunner.admission.AdmissionGate;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * When the loop must look again if no message comes first: the earliest of the sessions'
 * timeouts and output polls, late rows due, pauses ending, cooldowns ending, the start-up ramp's
 * next step, the next write retry, recovery deadlines, an open breaker's next probe, the leftover
 * sweep and the next host reading while starts are held, and never later than 5 s. Loop thread only.
 */
final class WakePlanner {
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final StartQueue queue;
    private final SessionTimers timers;
    private final TimeSource time;
    private final DurableWrites writes;
    private final StartPass starts;
    private final AdmissionGate admission;
    private final PodBreakers breakers;
    private final RecoveryCoordinator recovery;
    private final LeftoverSweep leftovers;
    private final BooleanSupplier stopRequested;

    WakePlanner(StartQueue queue, SessionTimers timers, TimeSource time, DurableWrites writes, StartPass starts,
                AdmissionGate admission, PodBreakers breakers, RecoveryCoordinator recovery, LeftoverSweep leftovers,
                BooleanSupplier stopRequested) {
        this.queue = queue;
        this.timers = timers;
        this.admission = admission;
        this.breakers = breakers;
        this.time = time;
        this.writes = writes;
        this.starts = starts;
        this.recovery = recovery;
        this.leftovers = leftovers;
        this.stopRequested = stopRequested;
    }

    long nextWakeNanos(long now) {
        boolean stopping = stopRequested.getAsBoolean();
        long next = now + MAX_WAIT_NANOS;
        if (writes.failing()) {
            next = earlier(next, writes.retryAtNanos()); // nothing starts before the next write succeeds
        } else if (admission.holding()) {
            next = earlier(next, admission.nextSampleNanos()); // held starts wait for the next reading, not a spin
        } else if (!stopping && starts.wouldStartAny(now)) {
            return now; // a session ended after this step's start pass: its slot goes to the next profile now
        }
        next = earlier(next, timers.nextDueNanos()); // the sessions' timeouts and output polls
        if (!writes.failing()) { // else the retry above: a late row due then would wake the loop on every turn
            next = writes.lateRowsDue(next); // a launched session's pid, when nothing else was written since
        }
        Instant pauseEnd = queue.nextPauseEnd();
        if (pauseEnd != null) {
            next = earlier(next, now + Math.max(0, Duration.between(time.now(), pauseEnd).toNanos()));
        }
        // While writes fail nothing starts before the retry, so neither an ended cooldown nor a due
        // breaker probe may wake the loop: the start pass that would act on them does not run, and
        // they would stay due, a wake "now" on every turn (the fault bench's full disk: a whole core).
        boolean mayStart = !stopping && !writes.failing();
        if (mayStart) {
            // a cooldown or start jitter that ends later; a profile that could start now but waits
            // for a free slot wakes nobody (the check above finds it once a slot is free)
            next = queue.nextCooldownEnd(next);
            next = starts.rampStep(now, next); // the start-up ramp's next step, when only the ramp holds a start
        }
        return recovery.nextDeadline(leftovers.deadline(mayStart ? breakers.nextProbe(now, next) : next));
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }
}
