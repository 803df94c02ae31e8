package io.smartrunner.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hold after a refused spawn, on a manual monotonic clock: 10 s, doubling while the refusals
 * come back as soon as a hold ends (a limit that lasts cycled hold and release every 10 s), afresh
 * after a quiet spell.
 */
class SpawnShortageTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private final SpawnShortage spawns = new SpawnShortage();

    @Test
    void aLimitThatLastsHoldsLongerEachTimeUpToFiveMinutes() {
        spawns.refused("EAGAIN", 0);
        assertTrue(spawns.within(9 * S));
        assertFalse(spawns.within(10 * S));
        spawns.refused("EAGAIN", 11 * S); // the first start after the hold is refused again
        assertEquals(31 * S, spawns.endsNanos(), "20 s");
        spawns.refused("EAGAIN", 32 * S);
        assertEquals(72 * S, spawns.endsNanos(), "40 s");
        long at = 72 * S;
        for (int i = 0; i < 6; i++) {
            at = spawns.endsNanos() + S;
            spawns.refused("EAGAIN", at);
        }
        assertEquals(at + 300 * S, spawns.endsNanos(), "at most 5 min");
    }

    @Test
    void aRefusalAfterAQuietSpellHoldsTenSecondsAgain() {
        spawns.refused("EAGAIN", 0);
        spawns.refused("EAGAIN", 11 * S);
        assertEquals(31 * S, spawns.endsNanos());
        spawns.refused("EMFILE", 200 * S); // long after: another episode
        assertEquals(210 * S, spawns.endsNanos());
        assertEquals(1, spawns.count());
    }

    @Test
    void refusalsWithinTheHoldExtendItWithoutDoublingIt() {
        spawns.refused("EAGAIN", 0);
        spawns.refused("EAGAIN", 5 * S);
        assertEquals(15 * S, spawns.endsNanos());
        assertEquals(2, spawns.count());
    }
}
