package io.smartrunner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RecoverySettings.AdaptiveSettings;
import io.smartrunner.config.RecoverySettings.Strategy;
import io.smartrunner.store.LadderStat;
import io.smartrunner.store.StoreException;
import io.smartrunner.testkit.TestConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Where episodes start per strategy, exploration with a seeded Random, and the statistics' persistence. */
class LadderMemoryTest {
    private static final Instant T = Instant.parse("2025-01-08T10:30:00Z");
    private static final FailureSignature SIG = FailureSignature.of("exit", "3", "boom");
    private static final List<String> LADDER = List.of("a", "b", "c");
    private final List<LadderStat> stored = new ArrayList<>();
    private final List<List<LadderStat>> saves = new ArrayList<>();
    private final List<String> diagnostics = new ArrayList<>();
    private boolean storeDown;

    private LadderMemory memory(Strategy strategy, double explore, Random random) {
        RecoverySettings s = TestConfig.builder().steps(LADDER).recoverySettings()
                .withStrategy(strategy, new AdaptiveSettings(0.6, explore, 0.9));
        return new LadderMemory(s, () -> {
            if (storeDown) {
                throw new StoreException("state.db: disk I/O error", null);
            }
            return List.copyOf(stored);
        }, rows -> {
            if (storeDown) {
                throw new StoreException("state.db: disk I/O error", null);
            }
            saves.add(rows);
        }, random, diagnostics::add);
    }

    /** Steps a and b never fix SIG, c does. */
    private void onlyCWorks() {
        stored.add(new LadderStat(SIG.id(), "a", 3, 0, "exit", "3", T));
        stored.add(new LadderStat(SIG.id(), "b", 3, 0, "exit", "3", T));
        stored.add(new LadderStat(SIG.id(), "c", 3, 3, "exit", "3", T));
    }

    @Test
    void fixedAlwaysStartsAtStepOneAndDrawsNothing() {
        onlyCWorks();
        Random random = new Random(7);
        LadderMemory m = memory(Strategy.FIXED, 1.0, random);

        assertEquals(new LadderMemory.Start(0, "fixed", SIG.id(), null), m.start(SIG, LADDER));
        assertEquals(new Random(7).nextLong(), random.nextLong(), "no exploration draw");
    }

    @Test
    void adaptiveStartsWhereTheSignatureWasFixed() {
        onlyCWorks();

        LadderMemory.Start start = memory(Strategy.ADAPTIVE, 0.0, new Random(1)).start(SIG, LADDER);

        assertEquals(new LadderMemory.Start(2, "adaptive", SIG.id(), null), start);
        assertTrue(start.adaptive());
    }

    @Test
    void adaptiveWithAnUnknownFailureStartsAtStepOne() {
        onlyCWorks();

        assertEquals(new LadderMemory.Start(0, "adaptive", null, null), memory(Strategy.ADAPTIVE, 0, new Random(1))
                .start(null, LADDER));
    }

    @Test
    void exploresStepOneAtAboutTheConfiguredRate() {
        onlyCWorks();
        LadderMemory m = memory(Strategy.ADAPTIVE, 0.1, new Random(42));
        int explored = 0;
        for (int i = 0; i < 1000; i++) {
            explored += m.start(SIG, LADDER).step() == 0 ? 1 : 0;
        }

        // seeded: the same every run; about 10 %
        assertTrue(explored > 70 && explored < 130, "explored " + explored + " of 1000");
    }

    @Test
    void countsEveryAttemptAndSavesTheChangedRow() {
        LadderMemory m = memory(Strategy.FIXED, 0, new Random(1));

        m.learned(SIG, "a", false, T);
        m.learned(SIG, "b", true, T);
        m.learned(null, "c", true, T);

        assertEquals(2, saves.size(), "an unknown failure teaches nothing");
        assertEquals(List.of(new LadderStat(SIG.id(), "b", 1, 1, "exit", "3", T)), saves.get(1));
    }

    @Test
    void aFailingStoreIsSaidOnceAndTheRowsAreSavedWithTheNextOutcome() {
        LadderMemory m = memory(Strategy.ADAPTIVE, 0, new Random(1));
        m.start(SIG, LADDER);
        storeDown = true;

        m.learned(SIG, "a", false, T);
        m.learned(SIG, "b", false, T);
        storeDown = false;
        m.learned(SIG, "c", true, T);

        assertEquals(1, diagnostics.size(), diagnostics.toString());
        assertTrue(diagnostics.get(0).contains("disk I/O error"), diagnostics.get(0));
        assertEquals(List.of("a", "b", "c"), saves.get(0).stream().map(LadderStat::step).toList());
    }

    @Test
    void anUnreadableStoreStartsAtStepOneUntilItCanBeRead() {
        onlyCWorks();
        storeDown = true;
        LadderMemory m = memory(Strategy.ADAPTIVE, 0, new Random(1));

        assertEquals(0, m.start(SIG, LADDER).step());
        m.learned(SIG, "a", false, T);
        storeDown = false;

        assertEquals(2, m.start(SIG, LADDER).step());
        assertEquals(1, diagnostics.size());
        assertTrue(saves.isEmpty(), "nothing was counted on top of what it could not read");
    }
}
