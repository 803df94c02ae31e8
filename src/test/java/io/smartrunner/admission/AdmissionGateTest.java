package io.smartrunner.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventRecord;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The gate with an injected reading and a manual clock (nanos passed in). */
class AdmissionGateTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A reading the test sets; counts how often the gate reads it. */
    static final class SetReading implements HostPressure {
        volatile HostReading now = new HostReading(4096, 0.2);
        int reads;

        @Override
        public HostReading read() {
            reads++;
            return now;
        }
    }

    private final SetReading host = new SetReading();
    private long nanos = 1_000;

    private EventRecord look(AdmissionGate gate, boolean wantToStart) {
        return gate.look(wantToStart, nanos, T0.plusNanos(nanos));
    }

    /** A spawn the host refused (a process limit) holds starts at once, limits on or off, until its window is over. */
    @Test
    void aRefusedSpawnHoldsStartsForItsWindowThenTheyResume() {
        SpawnShortage spawns = new SpawnShortage();
        AdmissionGate gate = new AdmissionGate(host, 0, 0, spawns);
        assertNull(look(gate, true));

        spawns.refused("cannot start \"w.sh\": Resource temporarily unavailable", nanos);
        EventRecord pressure = look(gate, false);
        assertEquals("pressure", pressure.event());
        assertEquals("processes", pressure.params().get("short"));
        assertTrue(gate.holding());
        assertTrue(gate.note().contains("the host refused the runner a process or descriptor (cannot start \"w.sh\":"
                + " Resource temporarily unavailable)"), gate.note());
        assertEquals(nanos + SpawnShortage.WINDOW_NANOS, gate.nextSampleNanos(), "the loop looks again at the window's end");

        nanos += SpawnShortage.WINDOW_NANOS - 1;
        assertNull(look(gate, true), "still within the window");
        nanos += 1;
        assertEquals("pressure-end", look(gate, true).event());
        assertFalse(gate.holding());
        assertEquals(0, host.reads, "no reading was taken: the limits are off");
    }

    @Test
    void holdsStartsOnceMemoryIsUnderTheFloorAndSaysSoOnceThenResumesWithOneEnd() {
        AdmissionGate gate = new AdmissionGate(host, 256, 0);
        assertNull(look(gate, true));
        assertFalse(gate.holding());

        host.now = new HostReading(100, 0.2);
        nanos += SECOND;
        EventRecord pressure = look(gate, true);
        assertEquals("pressure", pressure.event());
        assertEquals("runner", pressure.type());
        assertNull(pressure.profileId());
        assertNull(pressure.pod());
        assertEquals("memory", pressure.params().get("short"));
        assertEquals(100L, pressure.params().get("reading"));
        assertEquals(256L, pressure.params().get("limit"));
        assertTrue(gate.holding() && gate.held());
        assertTrue(gate.note().contains("MemAvailable 100 MiB is under runner.minFreeMemoryMb 256"), gate.note());
        gate.delayed(List.of("p1", "p2"));

        for (int i = 0; i < 5; i++) { // the pressure goes on: nothing more is said
            nanos += SECOND;
            assertNull(look(gate, true));
            gate.delayed(List.of("p1", "p3"));
        }
        assertEquals(3, gate.delayedTotal(), "each profile counts once per episode");

        host.now = new HostReading(1024, 0.2);
        nanos += SECOND;
        EventRecord end = look(gate, false);
        assertEquals("pressure-end", end.event());
        assertEquals(6_000L, end.params().get("heldForMs"));
        assertEquals(3, end.params().get("sessionsDelayed"));
        assertFalse(gate.holding());
        assertNull(gate.note());
    }

    @Test
    void readsTheHostAtMostOncePerSecondAndNotAtAllWhenNothingWantsToStart() {
        AdmissionGate gate = new AdmissionGate(host, 256, 0);
        look(gate, false);
        assertEquals(0, host.reads, "an idle fleet reads nothing");
        look(gate, true);
        nanos += SECOND - 1;
        look(gate, true);
        assertEquals(1, host.reads);
        nanos += 1;
        look(gate, true);
        assertEquals(2, host.reads);
        assertEquals(nanos + SECOND, gate.nextSampleNanos());
    }

    @Test
    void whileHeldItKeepsLookingEvenWithNothingToStart() {
        AdmissionGate gate = new AdmissionGate(host, 256, 0);
        host.now = new HostReading(10, 0.2);
        look(gate, true);
        host.now = new HostReading(4096, 0.2);
        nanos += SECOND;
        assertEquals("pressure-end", look(gate, false).event());
    }

    @Test
    void resumesOnlyOnceTheReadingIsTenPercentInsideTheLimitSoItDoesNotFlap() {
        AdmissionGate gate = new AdmissionGate(host, 1000, 0);
        host.now = new HostReading(990, 0.2);
        assertEquals("pressure", look(gate, true).event());
        host.now = new HostReading(1050, 0.2);
        nanos += SECOND;
        assertNull(look(gate, true));
        assertTrue(gate.holding(), "1050 MiB is above the floor but not 10 % above it");
        host.now = new HostReading(1100, 0.2);
        nanos += SECOND;
        assertEquals("pressure-end", look(gate, true).event());
    }

    @Test
    void loadPerCoreHoldsOnlyWhenALimitIsSet() {
        host.now = new HostReading(4096, 3.5);
        AdmissionGate off = new AdmissionGate(host, 256, 0);
        assertNull(look(off, true));
        assertFalse(off.holding());
        AdmissionGate on = new AdmissionGate(host, 256, 2.0);
        EventRecord pressure = look(on, true);
        assertEquals("load", pressure.params().get("short"));
        assertEquals(3.5, pressure.params().get("reading"));
        assertEquals(2.0, pressure.params().get("limit"));
    }

    @Test
    void anUnknownReadingOrLimitsOffNeverHold() {
        host.now = HostReading.UNKNOWN;
        AdmissionGate gate = new AdmissionGate(host, 256, 2.0);
        assertNull(look(gate, true));
        assertFalse(gate.holding());
        host.now = new HostReading(1, 99);
        AdmissionGate off = new AdmissionGate(host, 0, 0);
        assertNull(look(off, true));
        assertFalse(off.holding());
        assertEquals(0, host.reads - 1, "limits off: the host is not even read");
    }

    @Test
    void aNewEpisodeIsToldAgainAndCountsItsOwnDelays() {
        AdmissionGate gate = new AdmissionGate(host, 256, 0);
        for (int episode = 0; episode < 2; episode++) {
            host.now = new HostReading(10, 0);
            nanos += SECOND;
            assertEquals("pressure", look(gate, true).event());
            gate.delayed(List.of("p1"));
            host.now = new HostReading(4096, 0);
            nanos += SECOND;
            assertEquals(1, look(gate, true).params().get("sessionsDelayed"));
        }
        assertEquals(2, gate.delayedTotal());
    }
}
