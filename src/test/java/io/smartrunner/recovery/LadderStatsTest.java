package io.smartrunner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.store.LadderStat;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decayed counts per (signature, step) and the adaptive start they imply. */
class LadderStatsTest {
    private static final Instant T = Instant.parse("2025-01-08T10:30:00Z");
    private static final FailureSignature SIG = FailureSignature.of("exit", "3", "boom");
    private static final List<String> LADDER = List.of("a", "b", "c", "d");
    private final LadderStats stats = new LadderStats(0.5, List.of());

    @Test
    void eachOutcomeDecaysTheOldCountsFirst() {
        stats.count(SIG, "a", true, T);
        stats.count(SIG, "a", true, T);
        LadderStat s = stats.count(SIG, "a", false, T.plusSeconds(1));

        // successes 1 -> 1.5 -> 0.75; attempts 1 -> 1.5 -> 1.75
        assertEquals(1.75, s.attempts(), 1e-9);
        assertEquals(0.75, s.successes(), 1e-9);
        assertEquals("exit", s.sampleReason());
        assertEquals("3", s.sampleExit());
        assertEquals(T.plusSeconds(1), s.updatedAt());
        assertEquals(s, stats.get(SIG.id(), "a"));
        assertNull(stats.get(SIG.id(), "b"));
    }

    @Test
    void aFailureTakenBackCountsAsASuccess() {
        stats.count(SIG, "a", true, T);
        stats.count(SIG, "a", false, T);
        assertEquals(2, stats.countsOf(SIG.id(), "a"));

        LadderStat amended = stats.amendToSuccess(SIG.id(), "a", 2);

        // attempts 1 -> 1.5; successes 1 -> 0.5, then the failure made a success: 1.5
        assertEquals(List.of(1.5, 1.5), List.of(amended.attempts(), amended.successes()));
        assertEquals(amended, stats.get(SIG.id(), "a"));
    }

    @Test
    void aFailureCountedOverSinceWeighsWhatASuccessCountedThenWouldNow() {
        stats.count(SIG, "a", false, T); // the relapse, count 1
        stats.count(SIG, "a", false, T);
        stats.count(SIG, "a", false, T);

        LadderStat amended = stats.amendToSuccess(SIG.id(), "a", 1);

        LadderStats asIf = new LadderStats(0.5, List.of());
        asIf.count(SIG, "a", true, T);
        asIf.count(SIG, "a", false, T);
        LadderStat expected = asIf.count(SIG, "a", false, T);
        assertEquals(expected.attempts(), amended.attempts(), 1e-12);
        assertEquals(expected.successes(), amended.successes(), 1e-12);
    }

    @Test
    void aCountThatIsNotTheRowsIsNotTakenBack() {
        stats.count(SIG, "a", false, T);

        assertNull(stats.amendToSuccess(SIG.id(), "a", 2), "no second count yet");
        assertNull(stats.amendToSuccess(SIG.id(), "b", 1), "no such row");
        assertEquals(0.0, stats.get(SIG.id(), "a").successes());
    }

    @Test
    void withNothingKnownTheWholeLadderRuns() {
        assertEquals(0, stats.preferredStart(SIG.id(), LADDER, 0.6));
    }

    @Test
    void startsAtTheLowestStepThatWorksOftenEnough() {
        stats.count(SIG, "a", false, T);
        stats.count(SIG, "b", false, T);
        stats.count(SIG, "c", true, T);
        stats.count(SIG, "d", true, T);

        assertEquals(2, stats.preferredStart(SIG.id(), LADDER, 0.6));
        assertEquals(0, stats.preferredStart("other/1/-", LADDER, 0.6), "per signature");
    }

    @Test
    void aStepJustUnderMinSuccessIsSkippedOneAtItIsNot() {
        LadderStats even = new LadderStats(0.9, List.of(
                new LadderStat(SIG.id(), "a", 10, 5.9, "exit", "3", T),
                new LadderStat(SIG.id(), "b", 10, 6, "exit", "3", T)));

        assertEquals(1, even.preferredStart(SIG.id(), LADDER, 0.6));
    }

    @Test
    void aStepThatStoppedWorkingLosesItsPlaceWithinAFewTries() {
        stats.count(SIG, "b", true, T);
        stats.count(SIG, "b", true, T);
        stats.count(SIG, "b", true, T);
        assertEquals(1, stats.preferredStart(SIG.id(), LADDER, 0.6));

        stats.count(SIG, "b", false, T);
        stats.count(SIG, "b", false, T);

        assertEquals(0, stats.preferredStart(SIG.id(), LADDER, 0.6), "back to the whole ladder");
    }

    @Test
    void loadedRowsAreKeptAsTheyAre() {
        LadderStat row = new LadderStat(SIG.id(), "c", 3.2, 3.0, "exit", "3", T);
        LadderStats loaded = new LadderStats(0.9, List.of(row));

        assertEquals(row, loaded.get(SIG.id(), "c"));
        assertEquals(2, loaded.preferredStart(SIG.id(), LADDER, 0.6));
    }
}
