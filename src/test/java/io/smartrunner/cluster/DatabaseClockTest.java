package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster's wall clock, on an injected machine clock: the database's reading carried by the
 * monotonic clock, deaf to this machine's wall clock, and a slow reading kept out.
 */
class DatabaseClockTest {
    private static final Instant DB = Instant.parse("2026-12-06T10:00:00Z");

    private final ManualTimeSource machine = new ManualTimeSource(DB.minusSeconds(90)); // 90 s behind
    private final List<String> said = new ArrayList<>();

    /** The database answers {@code db} after {@code roundTripMs} of this machine's monotonic time. */
    private DatabaseClock first(Instant db, long roundTripMs) {
        long sent = machine.nanoTime();
        machine.advanceMillis(roundTripMs);
        return DatabaseClock.firstRead(db, sent, machine.nanoTime(), machine, said::add);
    }

    private void read(DatabaseClock clock, Instant db, long roundTripMs) {
        long sent = machine.nanoTime();
        machine.advanceMillis(roundTripMs);
        clock.read(db, sent, machine.nanoTime());
    }

    @Test
    void itIsTheDatabasesClockDatedAtTheMiddleOfTheRoundTripAndCarriedByTheMonotonicClock() {
        DatabaseClock clock = first(DB, 10);
        assertEquals(DB.plusMillis(5), clock.now(), "answered within the round trip: its middle");
        machine.advanceMillis(60_000);
        assertEquals(DB.plusMillis(60_005), clock.now());
        assertEquals(-89_995, clock.localAheadMs(), "90 s behind, less the half round trip the reading is dated by");
        assertEquals(List.of("this machine's wall clock is 90.0 s behind the database's; in cluster mode pauses"
                + " and event times follow the database's clock"), said);
    }

    @Test
    void aStepOfThisMachinesWallClockChangesNothingButIsSaid() {
        DatabaseClock clock = first(DB, 0);
        machine.jumpWallClock(Duration.ofHours(1)); // an NTP step, or an operator's date -s
        machine.advanceMillis(2_000);
        assertEquals(DB.plusMillis(2_000), clock.now(), "the wall step is not followed");
        read(clock, DB.plusMillis(2_000), 0);
        assertEquals(DB.plusMillis(2_000), clock.now());
        assertEquals("this machine's wall clock is now 3510.0 s ahead of the database's (it was 90.0 s behind);"
                + " pauses and event times keep following the database's clock", said.get(1));
    }

    @Test
    void aReadingHeldUpOnItsWayIsKeptOutAndAPromptOneIsTaken() {
        DatabaseClock clock = first(DB, 2);
        machine.advanceMillis(2_000);
        // a reply that took 3 s: dated 1.5 s after it was read, it could be 1.5 s off either way
        read(clock, DB.plusMillis(2_001).plusMillis(2_500), 3_000);
        assertEquals(DB.plusMillis(1 + 2_000 + 3_000), clock.now(), "the slow reading moved nothing");
        // the database's clock was stepped 30 s ahead: a prompt reading is followed
        read(clock, DB.plusMillis(1 + 5_000 + 30_000), 2);
        assertEquals(DB.plusMillis(1 + 5_000 + 30_000 + 1), clock.now());
        assertTrue(said.get(said.size() - 1).contains("is now 120.0 s behind the database's"), said.toString());
    }

    @Test
    void aReadingAsSlowAsTheFirstIsTakenOnceTheFirstHasAgedByTheDriftAllowance() {
        DatabaseClock clock = first(DB, 0);
        // 200 ppm of 100 s is 20 ms: a reading with a 40 ms round trip (±20 ms) is as good by then
        machine.advanceMillis(100_000);
        read(clock, DB.plusMillis(100_000 + 20 + 7), 40);
        assertEquals(DB.plusMillis(100_000 + 40 + 7), clock.now(), "taken: off by 7 ms from the carried clock");
    }
}
