package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartRampTest {
    private static final long T0 = 5_000_000_000L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aLimitRisesInStepsOverTheJitterFromOneAtOnce() {
        StartRamp ramp = new StartRamp(T0, 1000);
        assertEquals(1, ramp.allow(100, T0), "one session at once");
        assertEquals(1, ramp.allow(100, T0 + 10 * MS));
        assertEquals(2, ramp.allow(100, T0 + 10 * MS + 1));
        assertEquals(50, ramp.allow(100, T0 + 500 * MS));
        assertEquals(100, ramp.allow(100, T0 + 999 * MS + 1));
        assertTrue(ramp.rising(T0 + 999 * MS));
        assertFalse(ramp.rising(T0 + 1000 * MS));
        assertEquals(100, ramp.allow(100, T0 + 1000 * MS));
        assertEquals(10_000, ramp.allow(10_000, T0 + 1000 * MS));
        assertEquals(1, ramp.allow(1, T0), "a limit of one is never held");
    }

    @Test
    void theNextStepIsALimitsShareOfTheJitterButNeverPastItsEnd() {
        StartRamp ramp = new StartRamp(T0, 1000);
        assertEquals(T0 + 10 * MS, ramp.nextStepNanos(100, T0));
        assertEquals(T0 + MS, ramp.nextStepNanos(10_000, T0), "at most one wake a millisecond");
        assertEquals(T0 + 1000 * MS, ramp.nextStepNanos(100, T0 + 995 * MS));
    }

    @Test
    void noJitterNoRamp() {
        StartRamp ramp = new StartRamp(T0, 0);
        assertFalse(ramp.rising(T0));
        assertEquals(100, ramp.allow(100, T0));
        assertEquals(100, StartRamp.none().allow(100, T0));
    }

    @Test
    void anHoursRampOfTenThousandSlotsDoesNotOverflow() {
        StartRamp ramp = new StartRamp(T0, 3_600_000);
        assertEquals(5_000, ramp.allow(10_000, T0 + TimeUnit.MINUTES.toNanos(30)));
    }
}
